export interface ServerVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export function parseServerVersion(text: string): ServerVersion {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  if (!match) throw new Error(`cannot read the NATS server version ${JSON.stringify(text)}`);
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

export function compareVersions(a: ServerVersion, b: ServerVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * Server features an older server accepts and then silently ignores (an unknown config field is
 * dropped, a term reason is discarded). Each is refused up front on a server older than its minimum.
 */
export const SERVER_FEATURES = {
  /** Consumer `filter_subjects`: 2.9 ignores it and delivers the whole stream. */
  multipleFilterSubjects: '2.10.0',
  /** Stream / source `subject_transform(s)`. */
  subjectTransforms: '2.10.0',
  /** Stream and consumer `metadata`. */
  metadata: '2.10.0',
  /** Stream `compression`. */
  compression: '2.10.0',
  /** Stream `allow_msg_ttl` and the `Nats-TTL` publish header. */
  perMessageTtl: '2.11.0',
  /** `term(reason)`: the reason reaches the terminated advisory only from 2.11. */
  termWithReason: '2.11.0',
} as const satisfies Record<string, string>;

export type ServerFeature = keyof typeof SERVER_FEATURES;

export class UnsupportedServerFeatureError extends Error {
  constructor(
    readonly feature: ServerFeature,
    readonly serverVersion: string,
    readonly usage: string,
  ) {
    super(
      `${usage} needs the NATS server feature '${feature}' (nats-server ${SERVER_FEATURES[feature]} or later), ` +
        `but the server is ${serverVersion}; refusing rather than letting the server ignore it`,
    );
    this.name = 'UnsupportedServerFeatureError';
  }
}

export interface ServerFeatures {
  readonly version: string;
  supports(feature: ServerFeature): boolean;
  /** Throws {@link UnsupportedServerFeatureError} naming `usage` when the server lacks the feature. */
  require(feature: ServerFeature, usage: string): void;
}

export function serverFeatures(versionText: string): ServerFeatures {
  const version = parseServerVersion(versionText);
  const supports = (feature: ServerFeature): boolean =>
    compareVersions(version, parseServerVersion(SERVER_FEATURES[feature])) >= 0;
  return {
    version: versionText,
    supports,
    require(feature, usage) {
      if (!supports(feature)) throw new UnsupportedServerFeatureError(feature, versionText, usage);
    },
  };
}
