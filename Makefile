# User-facing targets. The build itself is CMake (CMakeLists.txt).
#   make demo    install deps, build, run assay eval on COMPAS, write an HTML report
#   make test    install deps, build with ASan+UBSan, run every test (ctest)
#   make build   release build in build/
#   make bench   benchmarks against the Python peers (bench/README.md)
#   make format  clang-format the tree
JOBS ?= $(shell nproc)
SHARED ?= ../shared

.PHONY: all deps build demo test bench format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DASSAY_TESTS=OFF -DASSAY_STATIC_DEPS=ON >/dev/null
	@cmake --build build -j $(JOBS)

demo: build
	@scripts/demo.sh build/assay $(SHARED)

test: deps
	@cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DASSAY_SANITIZE=ON >/dev/null
	@cmake --build build-test -j $(JOBS)
	@cd build-test && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

bench: build
	@scripts/install-deps.sh --bench
	@bench/bench_eval.sh build/assay $(SHARED)
	@bench/bench_drift.sh build/assay $(SHARED)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-test out
