/** A message's template name, `<context>.<name>` in lowercase: `identity.password_reset`. */
export const TEMPLATE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
