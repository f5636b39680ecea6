/**
 * Schema migrations, applied in order; PRAGMA user_version counts how many
 * have run. Never edit a released entry: append a new one.
 */
export const migrations: string[] = [
  // 1: images, tags, layers, events
  `
  CREATE TABLE images (
    id          TEXT PRIMARY KEY,          -- sha256:<hex> of the config JSON (docker's image ID)
    created     TEXT NOT NULL,             -- config.created (RFC3339), '' when absent
    added_at    INTEGER NOT NULL,          -- ms since epoch, when it entered this store
    size        INTEGER NOT NULL,          -- sum of layer content sizes (docker's Size)
    parent      TEXT,                      -- local parent image ID, as docker records it
    diff_ids    TEXT NOT NULL,             -- JSON array, bottom first
    top_layer   TEXT,                      -- chain ID of the top layer, NULL for no layers
    last_tag_at INTEGER                    -- ms since epoch of the last tag operation
  );
  CREATE INDEX images_parent ON images(parent);
  CREATE TABLE tags (
    name      TEXT PRIMARY KEY,            -- normalized: docker.io/library/busybox:latest
    image_id  TEXT NOT NULL REFERENCES images(id),
    added_at  INTEGER NOT NULL
  );
  CREATE INDEX tags_image ON tags(image_id);
  CREATE TABLE repo_digests (
    name      TEXT PRIMARY KEY,            -- docker.io/library/busybox@sha256:...
    image_id  TEXT NOT NULL REFERENCES images(id)
  );
  CREATE INDEX repo_digests_image ON repo_digests(image_id);
  CREATE TABLE layers (
    chain_id  TEXT PRIMARY KEY,            -- sha256:<hex>; the tree lives in layers/<hex>/diff
    diff_id   TEXT NOT NULL,               -- the uncompressed tar blob lives in blobs/sha256/<hex>
    parent    TEXT,                        -- chain ID below, NULL for a base layer
    size      INTEGER NOT NULL,            -- content size (docker's layer Size)
    tar_size  INTEGER NOT NULL,            -- bytes of the uncompressed tar
    added_at  INTEGER NOT NULL
  );
  CREATE TABLE image_layers (
    image_id  TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    idx       INTEGER NOT NULL,
    chain_id  TEXT NOT NULL REFERENCES layers(chain_id),
    PRIMARY KEY (image_id, idx)
  );
  CREATE INDEX image_layers_chain ON image_layers(chain_id);
  CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ms    INTEGER NOT NULL,           -- ms since epoch
    nanos      INTEGER NOT NULL,           -- extra nanoseconds within that ms
    type       TEXT NOT NULL,              -- image | container | volume
    action     TEXT NOT NULL,              -- docker's action names: pull, load, tag, untag, delete, ...
    actor_id   TEXT NOT NULL,
    attributes TEXT NOT NULL               -- JSON object
  );
  `,
  // 2: containers
  `
  CREATE TABLE containers (
    id          TEXT PRIMARY KEY,          -- 64 hex
    name        TEXT NOT NULL UNIQUE,      -- without the leading /
    image_id    TEXT NOT NULL,             -- sha256:<hex>; the image may be gone since (rmi -f)
    image_name  TEXT NOT NULL,             -- as the user typed it
    created     TEXT NOT NULL,             -- RFC3339Nano
    path        TEXT NOT NULL,
    args        TEXT NOT NULL,             -- JSON array
    config      TEXT NOT NULL,             -- JSON: docker Config
    host_config TEXT NOT NULL,             -- JSON: docker HostConfig
    layers      TEXT NOT NULL,             -- JSON: chain IDs bottom first
    state       TEXT NOT NULL              -- JSON: PersistedState
  );
  CREATE INDEX containers_image ON containers(image_id);
  CREATE TABLE container_layers (
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    chain_id     TEXT NOT NULL,
    PRIMARY KEY (container_id, chain_id)
  );
  CREATE INDEX container_layers_chain ON container_layers(chain_id);
  `,
  // 3: volumes and the mounts of containers
  `
  CREATE TABLE volumes (
    name       TEXT PRIMARY KEY,
    driver     TEXT NOT NULL,
    created    TEXT NOT NULL,              -- RFC3339
    labels     TEXT NOT NULL,              -- JSON object
    options    TEXT NOT NULL,              -- JSON object (local driver: type, device, o)
    anonymous  INTEGER NOT NULL
  );
  CREATE TABLE container_volumes (
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    volume       TEXT NOT NULL,
    anonymous    INTEGER NOT NULL,
    PRIMARY KEY (container_id, volume)
  );
  CREATE INDEX container_volumes_volume ON container_volumes(volume);
  ALTER TABLE containers ADD COLUMN mounts TEXT NOT NULL DEFAULT '[]';
  `,
  // 4: what registries know: manifests kept for pulled images, the compressed digests of layers, pull locks
  `
  CREATE TABLE image_manifests (
    digest     TEXT NOT NULL,              -- sha256 of the manifest bytes, kept in blobs/
    image_id   TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    media_type TEXT NOT NULL,
    PRIMARY KEY (image_id, digest)
  );
  CREATE INDEX image_manifests_digest ON image_manifests(digest);
  CREATE TABLE layer_digests (             -- docker's v2 metadata: a layer's compressed form and where it lives
    diff_id    TEXT NOT NULL,
    digest     TEXT NOT NULL,              -- sha256 of the blob as registries know it
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL,
    registry   TEXT NOT NULL,              -- host[:port] ('' for a blob only kept here)
    repo       TEXT NOT NULL,              -- repository path on that registry
    PRIMARY KEY (diff_id, digest, registry, repo)
  );
  CREATE INDEX layer_digests_digest ON layer_digests(digest);
  CREATE TABLE pull_locks (                -- a layer being downloaded by a live process
    chain_id   TEXT PRIMARY KEY,
    pid        INTEGER NOT NULL,
    started    INTEGER NOT NULL
  );
  `,
  // 5: networks; the addresses and host ports of running containers; each container's networks
  `
  CREATE TABLE networks (
    id          TEXT PRIMARY KEY,          -- 64 hex
    name        TEXT NOT NULL UNIQUE,
    driver      TEXT NOT NULL,             -- bridge | macvlan | ipvlan | host | null
    created     TEXT NOT NULL,             -- RFC3339Nano
    internal    INTEGER NOT NULL,
    attachable  INTEGER NOT NULL,
    ipv6        INTEGER NOT NULL,
    iface       TEXT NOT NULL,             -- bridge: the bridge; macvlan, ipvlan: the parent; '' otherwise
    subnet      TEXT NOT NULL,             -- IPv4 subnet, '' for host and null
    gateway     TEXT NOT NULL,
    first_addr  INTEGER NOT NULL,          -- the range addresses are given from (--ip-range, else the subnet)
    last_addr   INTEGER NOT NULL,
    user_subnet INTEGER NOT NULL,          -- the subnet was given (--ip may then be asked for)
    options     TEXT NOT NULL,             -- JSON: docker's Options
    labels      TEXT NOT NULL,             -- JSON object
    ipam        TEXT NOT NULL              -- JSON: docker's IPAM
  );
  CREATE TABLE endpoints (
    network_id   TEXT NOT NULL REFERENCES networks(id),
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    id           TEXT NOT NULL,            -- docker's EndpointID
    slot         INTEGER NOT NULL,         -- the interface is eth<slot> in the container
    addr         INTEGER NOT NULL,         -- IPv4 address as a number
    mac          TEXT NOT NULL,
    owner_pid    INTEGER NOT NULL,         -- held by this process (the starting one, then the monitor) ...
    owner_start  INTEGER NOT NULL,         -- ... with this start time (field 22 of /proc/<pid>/stat)
    PRIMARY KEY (network_id, container_id),
    UNIQUE (network_id, addr)
  );
  CREATE INDEX endpoints_container ON endpoints(container_id);
  CREATE TABLE host_ports (
    proto          TEXT NOT NULL,          -- tcp | udp | sctp
    host_ip        TEXT NOT NULL,          -- '' for every address of the host
    port           INTEGER NOT NULL,
    container_id   TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    container_port INTEGER NOT NULL,
    PRIMARY KEY (proto, host_ip, port)
  );
  CREATE INDEX host_ports_container ON host_ports(container_id);
  ALTER TABLE containers ADD COLUMN networks TEXT NOT NULL DEFAULT '{}';
  `,
  // 6: an address may be held by a build's RUN step, which is no container row: endpoints lose the reference to
  // containers (a container's removal still takes its rows, by a trigger)
  `
  CREATE TABLE endpoints_new (
    network_id   TEXT NOT NULL REFERENCES networks(id),
    container_id TEXT NOT NULL,            -- a container's ID, or a build RUN step's
    id           TEXT NOT NULL,
    slot         INTEGER NOT NULL,
    addr         INTEGER NOT NULL,
    mac          TEXT NOT NULL,
    owner_pid    INTEGER NOT NULL,
    owner_start  INTEGER NOT NULL,
    PRIMARY KEY (network_id, container_id),
    UNIQUE (network_id, addr)
  );
  INSERT INTO endpoints_new SELECT network_id, container_id, id, slot, addr, mac, owner_pid, owner_start FROM endpoints;
  DROP TABLE endpoints;
  ALTER TABLE endpoints_new RENAME TO endpoints;
  CREATE INDEX endpoints_container ON endpoints(container_id);
  CREATE TRIGGER containers_endpoints AFTER DELETE ON containers BEGIN
    DELETE FROM endpoints WHERE container_id = OLD.id;
  END;
  `,
];
