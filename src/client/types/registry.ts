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

/** A result of `search` (Docker Hub's search API fields). */
export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}
