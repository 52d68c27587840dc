# The assay command itself: help, version, unknown commands.
source "$(dirname "$0")/lib.bash"
run 0 "$ASSAY" --help
cp "$TMP/out" "$TMP/help"
for c in eval profile drift check scan; do
  contains "$TMP/help" "  $c "
  run 0 "$ASSAY" help "$c"
  contains "$TMP/out" "usage: assay $c"
  contains "$TMP/out" "assay $c "
done
run 0 "$ASSAY" --version
contains "$TMP/out" "assay 0."
run 2 "$ASSAY" evl
contains "$TMP/err" 'unknown command "evl"; did you mean "eval"?'
run 2 "$ASSAY"
contains "$TMP/err" "usage: assay <command>"
finish
