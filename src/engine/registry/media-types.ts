/** The media types of the distribution API: docker's schema 2 and OCI's image spec. */

export const MT = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  schema1: 'application/vnd.docker.distribution.manifest.v1+json',
  schema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociForeignLayer: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociForeignLayerGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociForeignLayerZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
} as const;

/** What a manifest request accepts (schema 1 included, so it can be recognised and refused). */
export const MANIFEST_ACCEPT = [
  MT.ociIndex,
  MT.dockerList,
  MT.ociManifest,
  MT.dockerManifest,
  MT.schema1Signed,
  MT.schema1,
];

export const isList = (mt: string) => mt === MT.dockerList || mt === MT.ociIndex;
export const isImageManifest = (mt: string) => mt === MT.dockerManifest || mt === MT.ociManifest;
export const isSchema1 = (mt: string) => mt === MT.schema1 || mt === MT.schema1Signed;

export type LayerCompression = 'gzip' | 'zstd' | 'none';

/** How a layer's blob is compressed, by its media type; null for a type that is not a layer. */
export function layerCompression(mt: string): LayerCompression | null {
  switch (mt) {
    case MT.dockerLayer:
    case MT.dockerForeignLayer:
    case MT.ociLayerGzip:
    case MT.ociForeignLayerGzip:
      return 'gzip';
    case MT.ociLayerZstd:
    case MT.ociForeignLayerZstd:
      return 'zstd';
    case MT.ociLayer:
    case MT.ociForeignLayer:
      return 'none';
    default:
      return null;
  }
}

export const isForeignLayer = (mt: string) =>
  mt === MT.dockerForeignLayer || mt.startsWith('application/vnd.oci.image.layer.nondistributable.');
