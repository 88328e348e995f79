"""Write ../wheels/greeting-1.0.0-py3-none-any.whl from greeting/, by hand.

The sample app must install with no package index (PyPI is unreachable from
the test engine), so its one dependency is a local wheel. A wheel is a zip
of the package plus <name>-<version>.dist-info/{METADATA,WHEEL,RECORD}; this
script needs neither setuptools nor the wheel package, and writes the same
bytes every time (fixed timestamps, sorted entries).

    python3 wheel-src/make_wheel.py [OUTDIR]
"""
import base64
import hashlib
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
NAME, VERSION = "greeting", "1.0.0"
DIST_INFO = f"{NAME}-{VERSION}.dist-info"


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "wheels")
    os.makedirs(out_dir, exist_ok=True)
    files = {}
    for name in sorted(os.listdir(os.path.join(HERE, NAME))):
        if name.endswith(".py"):
            with open(os.path.join(HERE, NAME, name), "rb") as f:
                files[f"{NAME}/{name}"] = f.read()
    files[f"{DIST_INFO}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\nSummary: Local wheel of the multistage Python sample\n"
    ).encode()
    files[f"{DIST_INFO}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: make_wheel.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{DIST_INFO}/top_level.txt"] = f"{NAME}\n".encode()
    record = [record_line(p, d) for p, d in files.items()] + [f"{DIST_INFO}/RECORD,,"]
    files[f"{DIST_INFO}/RECORD"] = ("\n".join(record) + "\n").encode()

    out = os.path.join(out_dir, f"{NAME}-{VERSION}-py3-none-any.whl")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    print(out)


if __name__ == "__main__":
    main()
