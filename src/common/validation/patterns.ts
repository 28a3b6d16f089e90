/**
 * Shapes checked in more than one place. A uuid in any of its versions, in text: ids compared with a uuid
 * column must match it, or PostgreSQL refuses them with a server error instead of our 422.
 */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An organization's slug, as the `organizations_slug_check` constraint allows it. */
export const ORGANIZATION_SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;
