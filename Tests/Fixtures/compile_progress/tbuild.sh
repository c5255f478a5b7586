#!/bin/sh
# tbuild.sh PROFILE OUT_DIR SRC: cc -O0/-O2 into OUT_DIR/prog
opt=-O0; [ "$1" = release ] && opt=-O2
mkdir -p "$2"
exec cc $opt -o "$2/prog" "$3"
