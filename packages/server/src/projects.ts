/** An API key and its secret: what an app server uses to create sessions and sign tokens. */
export interface ProjectCredentials {
  apiKey: string;
  apiSecret: string;
}

/** Looks up the secret for an API key. One project today; the map makes more a config change. */
export class ProjectDirectory {
  readonly #secrets = new Map<string, string>();

  constructor(projects: readonly ProjectCredentials[]) {
    for (const { apiKey, apiSecret } of projects) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(apiKey)) {
        throw new TypeError(`apiKey must be 1-64 characters of [A-Za-z0-9_-] (got ${JSON.stringify(apiKey)})`);
      }
      if (apiSecret.length < 16 || apiSecret.startsWith('-----BEGIN')) {
        // A PEM-looking secret would flip the official SDK into Vonage mode (opentok-rest.md P19).
        throw new TypeError('apiSecret must be at least 16 characters and must not be a PEM key');
      }
      this.#secrets.set(apiKey, apiSecret);
    }
  }

  secretFor(apiKey: unknown): string | undefined {
    return typeof apiKey === 'string' ? this.#secrets.get(apiKey) : undefined;
  }

  get keys(): string[] {
    return [...this.#secrets.keys()];
  }
}
