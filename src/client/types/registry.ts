/** Registry work as the user interfaces ask for it (see images.ts). */
import type { ProgressMessage } from './streams.js';

export type { ProgressMessage };

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface PullOptions {
  /** os/arch[/variant]; the host's by default. */
  platform?: string;
  allTags?: boolean;
  /** Credentials for this pull only (not saved; docker's X-Registry-Auth); else the saved ones. */
  auth?: RegistryCredentials;
  signal?: AbortSignal;
}

export interface PushOptions {
  allTags?: boolean;
  /** Credentials for this push only (not saved); else the saved ones. */
  auth?: RegistryCredentials;
  signal?: AbortSignal;
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
  signal?: AbortSignal;
}

/** A result of `search` (Docker Hub's search API fields). */
export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}
