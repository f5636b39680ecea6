/**
 * Who uses images and layers besides other images: containers. The image
 * code asks through these functions so it does not depend on the container
 * module (the Engine wires them up).
 */
export interface ContainerUse {
  id: string;
  running: boolean;
}

export interface ImageUsers {
  /** Containers created from this image ID. */
  containersUsing(imageId: string): ContainerUse[];
  /** How many containers each image ID has (images with none are not in the map): one query for a whole list. */
  containerCounts(): Map<string, number>;
  /** Whether any container's file system still rests on this layer. */
  layerInUse(chainId: string): boolean;
}

export const noUsers: ImageUsers = {
  containersUsing: () => [],
  containerCounts: () => new Map(),
  layerInUse: () => false,
};
