#!/bin/sh
# Install what the portal needs from the machine's package manager, only when missing:
#   ffmpeg/ffprobe (video and audio checks, poster frames; the portal degrades without them)
#   chromium + a CJK font (the real-browser tests; only for `make test`)
#   wrk (the load generator of the benchmark; only for `make bench`)
# Usage: scripts/system-deps.sh [run|test|bench]
set -e
want="ffmpeg"
command -v ffprobe >/dev/null 2>&1 && want=""
if [ "${1:-run}" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || want="$want chromium"
  fc-list 2>/dev/null | grep -qi -e "WenQuanYi" -e "Noto Sans CJK" || want="$want fonts-wqy-microhei"
fi
if [ "${1:-run}" = "bench" ]; then
  command -v wrk >/dev/null 2>&1 || want="$want wrk"
fi
[ -z "$(echo $want | tr -d ' ')" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "请手动安装：$want" >&2; exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "安装系统软件包：$want"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $want >/dev/null
