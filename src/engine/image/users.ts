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
  /** Whether any container's file system still rests on this layer. */
  layerInUse(chainId: string): boolean;
}

export const noUsers: ImageUsers = {
  containersUsing: () => [],
  layerInUse: () => false,
};
