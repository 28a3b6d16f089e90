import {
  AuthError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
} from '../../common/errors/domain-error';

/** The auth module's error codes, in one place so clients can rely on them. */
export const AuthErrors = {
  invalidCredentials: () => new AuthError('Invalid email or password', 'AUTH_INVALID_CREDENTIALS'),
  accessTokenInvalid: () => new AuthError('Invalid access token', 'AUTH_TOKEN_INVALID'),
  refreshInvalid: () => new AuthError('Invalid refresh token', 'AUTH_REFRESH_INVALID'),
  refreshExpired: () => new AuthError('Refresh token expired', 'AUTH_REFRESH_EXPIRED'),
  refreshRevoked: () => new AuthError('Refresh token revoked', 'AUTH_REFRESH_REVOKED'),
  refreshReused: () =>
    new AuthError(
      'Refresh token was already used; every session of this login was revoked',
      'AUTH_REFRESH_REUSED',
    ),
  accountDisabled: () => new AuthError('Account disabled', 'AUTH_ACCOUNT_DISABLED'),
  organizationSuspended: () =>
    new AuthError('Organization suspended', 'AUTH_ORGANIZATION_SUSPENDED'),
  registrationClosed: () =>
    new ForbiddenError('Registration is disabled on this server', 'AUTH_REGISTRATION_DISABLED'),
  emailTaken: () => new ConflictError('A user with this email already exists', 'AUTH_EMAIL_TAKEN'),
  slugTaken: () =>
    new ConflictError('An organization with this slug already exists', 'AUTH_SLUG_TAKEN'),
  userNotFound: () => new NotFoundError('User not found', 'USER_NOT_FOUND'),
  apiKeyNotFound: () => new NotFoundError('API key not found', 'API_KEY_NOT_FOUND'),
  lastOwner: () =>
    new ConflictError('An organization must keep at least one active owner', 'AUTH_LAST_OWNER'),
  ownerRoleRequired: () =>
    new ForbiddenError(
      'Only owners can grant, change or remove the owner role',
      'AUTH_OWNER_REQUIRED',
    ),
  userRoleRequired: () =>
    new ForbiddenError(
      'API keys can grant only the member and viewer roles; an owner or admin grants admin',
      'AUTH_USER_REQUIRED',
    ),
  cannotModifySelf: () =>
    new ConflictError('Use /auth endpoints to change your own account', 'AUTH_SELF_MODIFICATION'),
};
