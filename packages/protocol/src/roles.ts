/** Token roles, as OpenTok defines them. */
export const Roles = {
  subscriber: 'subscriber',
  publisher: 'publisher',
  publisheronly: 'publisheronly',
  moderator: 'moderator',
} as const;

export type Role = (typeof Roles)[keyof typeof Roles];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && Object.hasOwn(Roles, value);
}
