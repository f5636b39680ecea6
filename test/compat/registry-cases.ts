/**
 * The compatibility run's registry commands: push, pull (also through run),
 * login and logout, search and the distribution endpoint, each side against
 * its own loopback registries ($REG plain HTTP, $AREG with Basic auth for
 * $AUSER/$APASS; both insecure as 127.0.0.0/8 is for dockerd and berth), so
 * that neither side finds what the other pushed. ${P}imp:1 is the image the
 * import case made (one layer no other image has), bb the fixture.
 */
import type { Case } from './case.js';

const RUN = 'docker run $NET';
/** The API through curl, for what the docker CLI does not call. */
const API = 'curl -s --unix-socket ${DOCKER_HOST#unix://} http://d/v1.41';

export const REGISTRY_CASES: Case[] = [
  { id: 'push', sh: 'docker tag ${P}imp:1 $REG/${P}imp:1 && docker push $REG/${P}imp:1' },
  { id: 'push-again', sh: 'docker push $REG/${P}imp:1' },
  { id: 'push-missing', sh: 'docker push $REG/${P}nothing:1' },
  {
    id: 'push-all-tags',
    sh: 'docker tag bb $REG/${P}bb:a && docker tag bb $REG/${P}bb:b && docker push -a $REG/${P}bb',
  },
  { id: 'pull-up-to-date', sh: 'docker pull $REG/${P}imp:1' },
  {
    id: 'pull',
    // dockerd passes on only the latest of a layer's messages when its client reads slower than they come, so
    // whether "Verifying Checksum" shows varies from run to run there
    sh: "docker rmi $REG/${P}imp:1 ${P}imp:1 >/dev/null && docker pull $REG/${P}imp:1 | grep -v ': Verifying Checksum$'",
  },
  {
    id: 'pull-inspect',
    sh: "docker inspect -f '{{.Id}} {{.RepoTags}} {{len .RepoDigests}} {{json .Config.Cmd}}' $REG/${P}imp:1",
  },
  { id: 'pull-quiet', sh: 'docker rmi $REG/${P}imp:1 >/dev/null && docker pull -q $REG/${P}imp:1' },
  {
    id: 'pull-digest',
    sh: "docker pull $REG/${P}imp@$(docker inspect -f '{{index .RepoDigests 0}}' $REG/${P}imp:1 | cut -d@ -f2)",
  },
  { id: 'pull-all-tags', sh: 'docker rmi $REG/${P}bb:a >/dev/null && docker pull -a $REG/${P}bb' },
  { id: 'pull-missing-tag', sh: 'docker pull $REG/${P}imp:nope' },
  { id: 'pull-missing-repo', sh: 'docker pull $REG/${P}nothing:1' },
  { id: 'run-pulls', sh: `docker rmi $REG/\${P}bb:a >/dev/null && ${RUN} --rm $REG/\${P}bb:a echo pulled` },
  {
    id: 'distribution',
    sh: `${API}/distribution/$REG/\${P}imp:1/json | jq -c '{m: .Descriptor.mediaType, d: (.Descriptor.digest | length), p: .Platforms}'`,
  },
  { id: 'distribution-missing', sh: `${API}/distribution/$REG/\${P}imp:nope/json -w ' %{http_code}'` },
  { id: 'search-registry', sh: 'docker search $REG/${P}' },

  // ---- a registry that wants credentials ----
  { id: 'push-no-login', sh: 'docker tag bb $AREG/${P}bb:1 && docker push $AREG/${P}bb:1' },
  { id: 'login-wrong', sh: 'echo wrong | docker login -u $AUSER --password-stdin $AREG' },
  { id: 'login', sh: 'echo $APASS | docker login -u $AUSER --password-stdin $AREG' },
  { id: 'push-login', sh: 'docker push $AREG/${P}bb:1' },
  { id: 'pull-login', sh: 'docker rmi $AREG/${P}bb:1 >/dev/null && docker pull $AREG/${P}bb:1' },
  { id: 'logout', sh: 'docker logout $AREG' },
  { id: 'pull-logged-out', sh: 'docker rmi $AREG/${P}bb:1 >/dev/null && docker pull $AREG/${P}bb:1' },
];
