#!/usr/bin/env bash
# The device pack's one command (scripts/device_pack.mjs copies it to .device/run.sh):
#   .device/run.sh [--smoke | --full] [--adapter auto|lavapipe|swiftshader] [--peak GFLOPS]
#                  [--train-seconds N] [--phases LIST] OUTDIR
# On a bare Linux x86-64 machine with a GPU (no Node, no network): unpacks Node, Dawn and the
# Vulkan loader, finds the GPU's Vulkan driver, then runs the phases, each under its own time
# cap: adapter, parity, roofline, native (PyTorch on CUDA, where present), bench, tune, train.
# Everything goes to OUTDIR: one JSON file per phase, phases.tsv, summary.json and log.txt.
# Documented in docs/device-pack.md.
set -u -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
MODE=smoke
ADAPTER=auto
PEAK=
TRAIN_SECONDS=
PHASES=
OUT=

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) MODE=smoke ;;
    --full) MODE=full ;;
    --adapter) ADAPTER=${2:?--adapter needs auto, lavapipe or swiftshader}; shift ;;
    --peak) PEAK=${2:?--peak needs the GPU f32 peak in GFLOP/s}; shift ;;
    --train-seconds) TRAIN_SECONDS=${2:?--train-seconds needs a number}; shift ;;
    --phases) PHASES=${2:?--phases needs a comma-separated list}; shift ;;
    -h | --help) usage 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; usage 2 ;;
    *) OUT=$1 ;;
  esac
  shift
done
[ -n "$OUT" ] || { echo "run.sh: name OUTDIR" >&2; usage 2; }
case "$ADAPTER" in auto | lavapipe | swiftshader) ;; *) echo "run.sh: --adapter is auto, lavapipe or swiftshader" >&2; exit 2 ;; esac
mkdir -p "$OUT" || exit 2
OUT=$(cd "$OUT" && pwd)
: >"$OUT/phases.tsv"
: >"$OUT/log.txt"

main() {

# Each phase's cap in seconds. --full's sum, with the unpacking, stays under 8 minutes.
if [ "$MODE" = full ]; then
  CAP_ADAPTER=20 CAP_PARITY=110 CAP_ROOFLINE=25 CAP_NATIVE=45 CAP_BENCH=140 CAP_TUNE=55 CAP_TRAIN=60
  TRAIN_SECONDS=${TRAIN_SECONDS:-35}
else
  CAP_ADAPTER=30 CAP_PARITY=90 CAP_ROOFLINE=30 CAP_NATIVE=45 CAP_BENCH=90 CAP_TUNE=90 CAP_TRAIN=90
  TRAIN_SECONDS=${TRAIN_SECONDS:-60}
fi
PHASES=${PHASES:-adapter,parity,roofline,native,bench,tune,train}
STARTED=$(date +%s)
echo "device pack: $MODE run into $OUT ($(date -u +%FT%TZ), $(uname -srm))"

# 1. Unpack: Node, Dawn's binding, the bundle and the Vulkan loader into WORK (once).
WORK=${DEVICE_WORK:-$HERE/work}
mkdir -p "$WORK/bin" "$WORK/app/node_modules/webgpu/dist/linux-x64" "$WORK/root"
gunzip_to() { # FILE.gz TARGET
  [ -s "$2" ] && [ "$2" -nt "$1" ] && return 0
  if command -v gzip >/dev/null; then gzip -dc "$1" >"$2.tmp"; else python3 -c 'import gzip,shutil,sys; shutil.copyfileobj(gzip.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2.tmp"; fi && mv "$2.tmp" "$2"
}
gunzip_to "$HERE/bin/node.gz" "$WORK/bin/node" && chmod +x "$WORK/bin/node" || { echo "run.sh: could not unpack Node" >&2; exit 1; }
gunzip_to "$HERE/app/dawn.node.gz" "$WORK/app/node_modules/webgpu/dist/linux-x64/dawn.node" || { echo "run.sh: could not unpack Dawn" >&2; exit 1; }
cp "$HERE/app/webgpu/index.js" "$HERE/app/webgpu/package.json" "$WORK/app/node_modules/webgpu/"
cp "$HERE/app/device.mjs" "$WORK/app/device.mjs"
NODE=$WORK/bin/node

# The Debian packages (the Vulkan loader): dpkg-deb where there is one, else ar and tar, else Python.
UNPACKER=${DEVICE_DEB_UNPACKER:-auto} # dpkg-deb, ar or python: force one (the suite tries Python's)
unpack_deb() { # DEB DIR
  if [ "$UNPACKER" = auto ] || [ "$UNPACKER" = dpkg-deb ]; then command -v dpkg-deb >/dev/null && dpkg-deb -x "$1" "$2" && return 0; fi
  if { [ "$UNPACKER" = auto ] || [ "$UNPACKER" = ar ]; } && command -v ar >/dev/null; then
    local member
    member=$(ar t "$1" | grep '^data\.tar')
    case "$member" in
      *.xz) command -v xz >/dev/null && ar p "$1" "$member" | xz -dc | tar -x -C "$2" && return 0 ;;
      *.zst) command -v zstd >/dev/null && ar p "$1" "$member" | zstd -dc | tar -x -C "$2" && return 0 ;;
      *.gz) ar p "$1" "$member" | gzip -dc | tar -x -C "$2" && return 0 ;;
      *.tar) ar p "$1" "$member" | tar -x -C "$2" && return 0 ;;
    esac
  fi
  python3 - "$1" "$2" <<'PY'
import io, sys, tarfile
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"!<arch>\n", "not a Debian package"
pos = 8
while pos < len(data):
    name = data[pos:pos + 16].decode().strip().rstrip("/")
    size = int(data[pos + 48:pos + 58].decode().strip())
    body = data[pos + 60:pos + 60 + size]
    if name.startswith("data.tar"):
        if name.endswith(".zst"):
            sys.exit("data.tar.zst needs zstd")
        archive = tarfile.open(fileobj=io.BytesIO(body))
        if hasattr(tarfile, "data_filter"):
            archive.extractall(sys.argv[2], filter="data")
        else:
            archive.extractall(sys.argv[2])
        sys.exit(0)
    pos += 60 + size + (size & 1)
sys.exit("no data.tar in the package")
PY
}
for deb in "$HERE"/debs/*.deb; do
  [ -e "$deb" ] || continue
  stamp="$WORK/root/.$(basename "$deb").unpacked"
  [ -e "$stamp" ] || { unpack_deb "$deb" "$WORK/root" && touch "$stamp"; } || echo "run.sh: could not unpack $(basename "$deb")" >&2
done
LOADER_DIR=$(dirname "$(find "$WORK/root" -name 'libvulkan.so.1*' 2>/dev/null | head -n 1)" 2>/dev/null)
[ -n "$LOADER_DIR" ] && [ "$LOADER_DIR" != . ] && export LD_LIBRARY_PATH="$LOADER_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "Node $("$NODE" --version), Vulkan loader from ${LOADER_DIR:-the system}"

# 2. The GPU's Vulkan driver (auto): VK_ICD_FILENAMES or VK_DRIVER_FILES as given, else NVIDIA's
# ICD file where drivers put it, else one written for the driver's library where it is found.
if [ "$ADAPTER" = auto ]; then
  ICD=${VK_ICD_FILENAMES:-${VK_DRIVER_FILES:-}}
  for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib64/nvidia; do
    [ -d "$d" ] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"
  done
  if [ -z "$ICD" ]; then
    for f in /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd*.json \
      /usr/local/share/vulkan/icd.d/nvidia_icd*.json /usr/local/nvidia/icd.d/nvidia_icd*.json; do
      [ -f "$f" ] && { ICD=$f; break; }
    done
  fi
  if [ -z "$ICD" ]; then
    LIB=$( (ldconfig -p 2>/dev/null | awk '/libGLX_nvidia\.so\.0/ {print $NF; exit}'))
    for d in /usr/local/nvidia/lib64 /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
      [ -z "$LIB" ] && [ -e "$d/libGLX_nvidia.so.0" ] && LIB=$d/libGLX_nvidia.so.0
    done
    if [ -n "$LIB" ]; then
      ICD=$WORK/nvidia_icd.json
      printf '{"file_format_version": "1.0.0", "ICD": {"library_path": "%s", "api_version": "1.3.0"}}\n' "$LIB" >"$ICD"
      echo "no NVIDIA ICD file found: wrote $ICD for $LIB"
    fi
  fi
  if [ -n "$ICD" ]; then
    export VK_ICD_FILENAMES=$ICD
    echo "Vulkan driver: $ICD"
  else
    echo "no NVIDIA Vulkan driver found: the loader chooses (Dawn falls back to a CPU driver where there is one)"
  fi
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>/dev/null | sed 's/^/nvidia-smi: /'

# 3. The phases, each under its cap: `timeout` stops a phase that runs past it (the phase
# itself stops a few seconds earlier and writes where it was).
FAILED=0
want() { case ",$PHASES," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
record() { # PHASE RC SECONDS NOTE
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$OUT/phases.tsv"
}
run_phase() { # PHASE CAP COMMAND...
  local name=$1 cap=$2 start rc note
  shift 2
  echo "== $name (cap ${cap} s) =="
  start=$(date +%s.%N)
  timeout -k 5 "$cap" "$@"
  rc=$?
  local seconds
  seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  case $rc in
    0) note=ok ;;
    124 | 137) note="stopped at its cap of ${cap} s" ;;
    3) note="parity failures"; FAILED=1 ;;
    *) note="failed (exit $rc)"; FAILED=1 ;;
  esac
  echo "== $name: $note in $seconds s =="
  record "$name" "$rc" "$seconds" "$note"
}
device() { # PHASE CAP [ARGS...]
  local phase=$1 cap=$2
  shift 2
  run_phase "$phase" "$cap" "$NODE" --expose-gc "$WORK/app/device.mjs" "$phase" --out "$OUT" --mode "$MODE" --cap "$cap" --adapter "$ADAPTER" "$@"
}

want adapter && device adapter "$CAP_ADAPTER"
want parity && device parity "$CAP_PARITY"
want roofline && device roofline "$CAP_ROOFLINE"
if want native; then
  if command -v python3 >/dev/null && python3 -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    run_phase native "$CAP_NATIVE" python3 "$HERE/app/torch_anchor.py" --out "$OUT/native.json" --mode "$MODE" --cap "$CAP_NATIVE"
  else
    echo "== native: skipped (no python3 with PyTorch and CUDA here) =="
    record native - 0 "skipped: no python3 with PyTorch and CUDA"
  fi
fi
want bench && device bench "$CAP_BENCH" ${PEAK:+--peak "$PEAK"}
want tune && device tune "$CAP_TUNE"
want train && device train "$CAP_TRAIN" --data "$HERE/data/fashion-mnist" --train-seconds "$TRAIN_SECONDS"

"$NODE" "$WORK/app/device.mjs" summary --out "$OUT" --mode "$MODE" --cap 10 --adapter "$ADAPTER" || FAILED=1
echo "device pack: done in $(($(date +%s) - STARTED)) s; results in $OUT"
return $FAILED
}

# Everything printed goes to the terminal and to OUTDIR/log.txt.
main 2>&1 | tee -a "$OUT/log.txt"
exit "${PIPESTATUS[0]}"
