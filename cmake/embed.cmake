# SPDX-License-Identifier: MIT
# Turns a text file into a C array: cmake -DINPUT=f -DOUTPUT=f.c -DSYMBOL=name -P embed.cmake
file(READ ${INPUT} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
file(WRITE ${OUTPUT} "/* Generated from ${INPUT}; do not edit. */\nconst char ${SYMBOL}[] = {${hex}0x00};\n")
