"""extract_vmlinux.py VMLINUZ OUT: writes the uncompressed ELF kernel embedded in a bzImage to OUT.

The kernel's own scripts/extract-vmlinux is not packaged by Debian outside the kernel sources, hence this
small scan: try each xz/gzip stream start until one decompresses to an ELF image with a Xen/PVH note.
Exit status 1 when none does (the caller then boots the compressed image)."""
import lzma
import sys
import zlib

DECOMPRESSORS = (
    (b"\xfd7zXZ\x00", lambda data: lzma.LZMADecompressor().decompress(data)),
    (b"\x1f\x8b\x08", lambda data: zlib.decompressobj(31).decompress(data)),
)


def find_pvh_elf(image):
    for magic, decompress in DECOMPRESSORS:
        start = image.find(magic)
        while start >= 0:
            try:
                out = decompress(image[start:])
                if out[:4] == b"\x7fELF" and b"Xen" in out:
                    return out
            except (lzma.LZMAError, zlib.error, EOFError):
                pass
            start = image.find(magic, start + 1)
    return None


def main():
    vmlinuz, out_path = sys.argv[1], sys.argv[2]
    with open(vmlinuz, "rb") as f:
        elf = find_pvh_elf(f.read())
    if elf is None:
        return 1
    with open(out_path, "wb") as f:
        f.write(elf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
