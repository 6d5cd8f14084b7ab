#!/usr/bin/env bash
# Pyrite one-shot machine set-up: host packages, .venv, MicroPython source, mpy-cross.
#
# Usage (from anywhere; it works in the repo root):  tools/setup.sh
#
# `make qemu` and `make test` run this before every build, so when everything
# is already in place it must finish in well under half a second and print
# nothing. Each step is guarded by a stamp file and only redone when its stamp
# is missing or out of date:
#
#   build/.host-checked          Debian packages present, versions checked
#                                (redone when dpkg's database or this script changes)
#   .venv/.pyrite-installed      .venv exists and `pip install -e .` succeeded
#                                (redone when pyproject.toml is newer)
#   build/micropython/.verified  MicroPython v1.23.0 source unpacked from a tarball
#                                whose sha256 matched (holds that hash)
#   build/micropython/mpy-cross/build/mpy-cross   built once, checked every run
#
# Logs of the noisy steps go to build/logs/setup-*.log and are shown on failure.
#
# Environment:
#   PYRITE_SETUP_NO_INSTALL=1  never run apt-get, even as root: print the
#                              command to run instead and exit 1 (this is what a
#                              non-root user without passwordless sudo sees).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD=build
LOGS=$BUILD/logs
VENV=.venv

# The Debian packages the build needs: the RISC-V cross compiler and its C
# library, QEMU for the `virt` machine, and a gdb that speaks RISC-V.
DEB_PACKAGES=(gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc gdb-multiarch)
PICOLIBC_SPECS=/usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs

# MicroPython comes from PyPI (docs/design.md, decision 1): this sdist carries py/,
# shared/, tools/ and mpy-cross/ of v1.23.0. The hash pins the exact bytes.
MPY_SDIST=mpy-cross-v6.3==1.1.1
MPY_TARBALL=mpy_cross_v6_3-1.1.1.tar.gz
MPY_SHA256=55414c358f5844c784e76d3b253cbd7af5f243ddd4c0b47a26d3875d628df300
MPY_VERSION=v1.23.0
MPY_DIR=$BUILD/micropython
MPY_CROSS=$MPY_DIR/mpy-cross/build/mpy-cross

say()  { echo "setup: $*"; }
die()  { echo "setup: error: $*" >&2; exit 1; }

# Run a noisy command with its output in a log; on failure show the log's tail.
logged() {
    local log=$1; shift
    mkdir -p "$LOGS"
    if ! "$@" >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "'$*' failed; full log in $log"
    fi
}

# version_ge FOUND NEEDED: true when FOUND >= NEEDED (dotted version numbers).
version_ge() {
    printf '%s\n%s\n' "$2" "$1" | sort -V -C
}

# ---------------------------------------------------------------------------
# a, b. Host packages and their versions. dpkg-query and the version probes
# cost little, but python3 behind a pyenv shim costs ~0.1 s, so the whole step
# is skipped while its stamp is newer than dpkg's database (an install or
# removal touches that) and than this script (a new requirement here).
# ---------------------------------------------------------------------------
host_stamp_fresh() {
    [[ -f $BUILD/.host-checked ]] || return 1
    [[ $BUILD/.host-checked -nt ${BASH_SOURCE[0]} ]] || return 1
    [[ ! -f /var/lib/dpkg/status || $BUILD/.host-checked -nt /var/lib/dpkg/status ]]
}

missing_packages() {
    local need=() pkg
    if command -v dpkg-query >/dev/null; then
        for pkg in "${DEB_PACKAGES[@]}"; do
            if [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true) != "install ok installed" ]]; then
                need+=("$pkg")
            fi
        done
    else
        # Not Debian: judge by the commands and files themselves.
        command -v riscv64-unknown-elf-gcc >/dev/null || need+=(gcc-riscv64-unknown-elf)
        [[ -f $PICOLIBC_SPECS ]]                    || need+=(picolibc-riscv64-unknown-elf)
        command -v qemu-system-riscv64 >/dev/null   || need+=(qemu-system-misc)
        command -v gdb-multiarch >/dev/null         || need+=(gdb-multiarch)
    fi
    # Host tools for building mpy-cross and making the venv.
    command -v make >/dev/null    || need+=(make)
    command -v gcc >/dev/null     || need+=(gcc)
    command -v python3 >/dev/null || need+=(python3 python3-venv)
    echo "${need[*]}"
}

install_packages() {
    local missing=$1 sudo=
    if [[ ${PYRITE_SETUP_NO_INSTALL:-} != 1 ]] && command -v apt-get >/dev/null; then
        if [[ $(id -u) -eq 0 ]]; then
            sudo=
        elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo="sudo -n"
        else
            sudo=none
        fi
        if [[ $sudo != none ]]; then
            say "installing Debian packages: $missing"
            # shellcheck disable=SC2086  # word splitting of the lists is intended
            logged "$LOGS/setup-apt-update.log" $sudo env DEBIAN_FRONTEND=noninteractive apt-get update
            # shellcheck disable=SC2086
            logged "$LOGS/setup-apt-install.log" $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
            return
        fi
    fi
    {
        echo "setup: error: missing packages: $missing"
        echo "setup: install them with:"
        echo "    sudo apt-get update && sudo apt-get install -y $missing"
        echo "setup: then run tools/setup.sh (or make) again."
    } >&2
    exit 1
}

check_versions() {
    local out found

    command -v qemu-system-riscv64 >/dev/null \
        || die "qemu-system-riscv64 not found (Debian package qemu-system-misc)"
    out=$(qemu-system-riscv64 --version | head -n 1)
    found=$(sed -n 's/^QEMU emulator version \([0-9][0-9.]*\).*/\1/p' <<<"$out")
    [[ -n $found ]] || die "cannot read QEMU's version from: $out"
    # The kernel programs its own timer through Sstc (stimecmp), new in QEMU 7.1.
    version_ge "$found" 7.1 \
        || die "QEMU $found found, 7.1 or newer needed (Sstc timer support; Debian 12 ships 7.2)"

    command -v riscv64-unknown-elf-gcc >/dev/null \
        || die "riscv64-unknown-elf-gcc not found (Debian package gcc-riscv64-unknown-elf)"
    found=$(riscv64-unknown-elf-gcc -dumpversion)
    version_ge "$found" 10 \
        || die "riscv64-unknown-elf-gcc $found found, 10 or newer needed (zicsr/zifencei -march names)"

    [[ -f $PICOLIBC_SPECS ]] \
        || die "$PICOLIBC_SPECS not found (Debian package picolibc-riscv64-unknown-elf)"

    found=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])') \
        || die "python3 does not run"
    version_ge "$found" 3.9 || die "python3 $found found, 3.9 or newer needed"
}

if ! host_stamp_fresh; then
    missing=$(missing_packages)
    if [[ -n $missing ]]; then
        install_packages "$missing"
    fi
    check_versions
    mkdir -p "$BUILD"
    touch "$BUILD/.host-checked"
    say "host packages and versions OK"
fi

# ---------------------------------------------------------------------------
# c. The virtualenv with the host tools (pyproject.toml) installed editable,
# so new modules under tools/ are importable without reinstalling.
# ---------------------------------------------------------------------------
if [[ ! -x $VENV/bin/python || ! -f $VENV/.pyrite-installed \
      || pyproject.toml -nt $VENV/.pyrite-installed ]]; then
    # A venv whose interpreter is gone (e.g. a removed pyenv version) is useless.
    if [[ -e $VENV ]] && ! "$VENV/bin/python" -c '' 2>/dev/null; then
        rm -rf "$VENV"
    fi
    if [[ ! -d $VENV ]]; then
        python3 -c 'import venv, ensurepip' 2>/dev/null \
            || die "python3 cannot make virtualenvs: install python3-venv (sudo apt-get install -y python3-venv)"
        say "creating $VENV"
        logged "$LOGS/setup-venv.log" python3 -m venv "$VENV"
    fi
    say "installing Python dependencies into $VENV (pip install -e .)"
    logged "$LOGS/setup-pip.log" "$VENV/bin/pip" install --disable-pip-version-check -e .
    touch "$VENV/.pyrite-installed"
fi

# ---------------------------------------------------------------------------
# d. MicroPython source, from the pinned PyPI sdist.
# ---------------------------------------------------------------------------
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [[ ! -f $MPY_DIR/.verified || $(<"$MPY_DIR/.verified") != "$MPY_SHA256" ]]; then
    tarball=$BUILD/dl/$MPY_TARBALL
    if [[ -f $tarball && $(sha256_of "$tarball") != "$MPY_SHA256" ]]; then
        # A stale or truncated download: fetch it again rather than trust it.
        rm -f "$tarball"
    fi
    if [[ ! -f $tarball ]]; then
        say "downloading MicroPython $MPY_VERSION source ($MPY_SDIST from PyPI)"
        mkdir -p "$BUILD/dl"
        # pip prepares the sdist's metadata even for `download --no-deps`, and
        # its setup.py imports `wheel`, so this needs build isolation (it fetches
        # setuptools and wheel from the index); --no-build-isolation fails here.
        logged "$LOGS/setup-download.log" "$VENV/bin/pip" download --disable-pip-version-check \
            --no-deps --no-binary :all: "$MPY_SDIST" -d "$BUILD/dl"
        [[ -f $tarball ]] || die "pip download did not produce $tarball; see $LOGS/setup-download.log"
    fi
    got=$(sha256_of "$tarball")
    if [[ $got != "$MPY_SHA256" ]]; then
        echo "setup: error: sha256 mismatch for $tarball" >&2
        echo "setup:   expected $MPY_SHA256" >&2
        echo "setup:   got      $got" >&2
        die "refusing to use it: the registry served different bytes than the pinned release"
    fi
    say "unpacking MicroPython $MPY_VERSION into $MPY_DIR"
    tmp=$(mktemp -d "$BUILD/unpack.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    tar -xzf "$tarball" -C "$tmp"
    src=$(find "$tmp" -mindepth 2 -maxdepth 2 -type d -name micropython | head -n 1)
    [[ -n $src && -d $src/py && -d $src/shared && -d $src/tools && -d $src/mpy-cross ]] \
        || die "$tarball has no micropython/{py,shared,tools,mpy-cross}"
    rm -rf "$MPY_DIR"
    mv "$src" "$MPY_DIR"
    rm -rf "$tmp"
    trap - EXIT
    # Written last, so an interrupted unpack is redone next time.
    echo "$MPY_SHA256" > "$MPY_DIR/.verified"
fi

# ---------------------------------------------------------------------------
# e. mpy-cross, built from the same tree so its bytecode matches the kernel's VM.
# ---------------------------------------------------------------------------
if [[ ! -x $MPY_CROSS ]]; then
    say "building mpy-cross"
    # MicroPython's version header asks git; stop git from finding Pyrite's own
    # repository above build/ (it would name the build after our commit).
    logged "$LOGS/setup-mpy-cross.log" \
        env GIT_CEILING_DIRECTORIES="$(cd "$MPY_DIR/.." && pwd)" make -C "$MPY_DIR/mpy-cross" -j"$(nproc 2>/dev/null || echo 2)"
fi
# Cheap (a few ms), and catches a binary from some other tree or a broken one.
out=$("$MPY_CROSS" --version 2>&1) || die "$MPY_CROSS does not run: $out"
[[ $out == "MicroPython $MPY_VERSION "* ]] \
    || die "$MPY_CROSS reports '$out', expected MicroPython $MPY_VERSION (rm -rf $MPY_DIR and rerun)"
