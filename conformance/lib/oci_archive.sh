# make_oci_archive ROOTFS_DIR OUT_TAR IMAGE_NAME: an OCI image-layout tar with one
# uncompressed layer, importable with `ctr images import`.

_blob() { # FILE DIR -> prints "sha256:HEX SIZE" and stores FILE as a blob in DIR
    local hex size
    hex=$(sha256sum "$1" | cut -d' ' -f1)
    size=$(stat -c %s "$1")
    mkdir -p "$2/blobs/sha256"
    cp "$1" "$2/blobs/sha256/$hex"
    echo "sha256:$hex $size"
}

make_oci_archive() {
    local rootfs=$1 out=$2 name=$3 lay work
    work=$(mktemp -d)
    tar -C "$rootfs" --numeric-owner -cf "$work/layer.tar" .
    lay=$(mktemp -d)
    echo '{"imageLayoutVersion":"1.0.0"}' >"$lay/oci-layout"
    local layer_d layer_s cfg_d cfg_s man_d man_s
    read -r layer_d layer_s < <(_blob "$work/layer.tar" "$lay")
    cat >"$work/config.json" <<EOF
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin:/sbin:/usr/bin"],"Cmd":["/bin/sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["$layer_d"]}}
EOF
    read -r cfg_d cfg_s < <(_blob "$work/config.json" "$lay")
    cat >"$work/manifest.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"$cfg_d","size":$cfg_s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"$layer_d","size":$layer_s}]}
EOF
    read -r man_d man_s < <(_blob "$work/manifest.json" "$lay")
    cat >"$lay/index.json" <<EOF
{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$man_d","size":$man_s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"$name","org.opencontainers.image.ref.name":"latest"}}]}
EOF
    tar -C "$lay" -cf "$out" oci-layout index.json blobs
    rm -rf "$work" "$lay"
}
