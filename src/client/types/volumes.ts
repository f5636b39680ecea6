/** Volumes as the user interfaces see them (Docker Engine API shapes; see images.ts). */

export interface VolumeInfo {
  Name: string;
  Driver: string;
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string>;
  Options: Record<string, string>;
  Scope: string;
  UsageData?: { Size: number; RefCount: number };
}

export interface VolumeCreate {
  name?: string;
  driver?: string;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  anonymous?: boolean;
}
