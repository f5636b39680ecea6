/**
 * Registries: progress messages, pull, push, login and search.
 * Plain data crossing the engine boundary, shaped after the Docker Engine API (types.ts says why).
 */

/**
 * One message of a long operation's progress (pull, push; later build and
 * load): docker's JSON message (moby pkg/jsonmessage), so the CLI renders it
 * as docker's CLI does, the app as panels, and an API server passes it on.
 */
export interface ProgressMessage {
  /** What the line is about: a layer's short ID, a tag. */
  id?: string;
  status?: string;
  progressDetail?: { current?: number; total?: number };
  /** The rendered bar, when the producer renders it (berth's engine leaves that to the display). */
  progress?: string;
  stream?: string;
  error?: string;
  errorDetail?: { code?: number; message: string };
  /** Results: push's {Tag, Digest, Size}; pull's {ID, Digest, Reference}. */
  aux?: Record<string, unknown>;
}

export interface PullOptions {
  /** os/arch[/variant]; the host's by default. */
  platform?: string;
  allTags?: boolean;
  /**
   * Credentials for this pull only (not saved; docker's X-Registry-Auth); null: none, not even the
   * saved ones (what dockerd does for an API client that sent none); else the saved ones.
   */
  auth?: RegistryCredentials | null;
  signal?: AbortSignal;
}

export interface PushOptions {
  allTags?: boolean;
  /** Credentials for this push only (not saved); null: none, not even the saved ones; else the saved ones. */
  auth?: RegistryCredentials | null;
  signal?: AbortSignal;
}

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface LoginResult {
  /** The registry as stored (docker.io's key is https://index.docker.io/v1/). */
  server: string;
  /** Where the credentials went: a docker-credential helper's name, or null for the file itself. */
  helper: string | null;
  /** The config file written. */
  configPath: string;
}

export interface SearchOptions {
  limit?: number;
  /** Credentials for this search only (not saved); null: none, not even the saved ones; else the saved ones. */
  auth?: RegistryCredentials | null;
  signal?: AbortSignal;
}

/** What a registry says of a reference without pulling it (the API's GET /distribution/{name}/json). */
export interface DistributionInfo {
  /** The manifest (or manifest list / index) the reference names. */
  descriptor: { mediaType: string; digest: string; size: number; urls?: string[] };
  /** The platforms it has: a list's entries, or a single image's config. */
  platforms: { architecture: string; os: string; variant?: string; 'os.version'?: string; 'os.features'?: string[] }[];
}

/** A result of `search` (Docker Hub's search API fields). */
export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}
