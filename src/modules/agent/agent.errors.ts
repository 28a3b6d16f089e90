import { ConflictError, NotFoundError } from '../../common/errors/domain-error';

/** The agent module's error codes, in one place so clients can rely on them. */
export const AgentErrors = {
  agentNotFound: () => new NotFoundError('Agent not found', 'AGENT_NOT_FOUND'),
  variantNotFound: () => new NotFoundError('Variant not found', 'AGENT_VARIANT_NOT_FOUND'),
  variantNameTaken: () =>
    new ConflictError(
      'This agent already has a variant with that name',
      'AGENT_VARIANT_NAME_TAKEN',
    ),
};
