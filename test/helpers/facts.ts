/** Facts about test/fixtures, as their README states them. */
export const BB_ID = 'sha256:6aa4265b18c53bbe76df73c12ee713065d6ae92d9be566d2bf0562242772a187';
export const V0_ID = 'sha256:0cb0efed89c0b53a6af4f95390bb395155be465bedfff031ec8a87f6b1602dbb';
export const V1_ID = 'sha256:b55548ee9ab157e54aae7b2f39f40cdbeae3292596be1fab60635dd78811bd9d';
export const OCI_CONFIG_ID = 'sha256:69e2101d933d204b4fa106dec28098d091de01a477626cfbf41872c9f9a63655';
export const DIFF = [
  'sha256:bb1f45055450df7a09fd76c876791232666da280296e1d5506909087236e8126',
  'sha256:3874567ad0998922444362f74a9869dddada98943c2181b3407c76e1ce4a5a4d',
  'sha256:27a6e2f954ccb1b8a95fbec13dca1e868385760edacfb0c162388809b80db6ed',
];
