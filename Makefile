# Thin wrapper over CMake: `make demo` and `make check` do all set-up.
BUILD      ?= build
BUILD_SAN  ?= build-san
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: all deps build build-san demo check check-fast check-san clean

all: build

deps:
	@./scripts/deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_ARGS) >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

$(BUILD_SAN)/CMakeCache.txt:
	CC=clang cmake -S . -B $(BUILD_SAN) -DKVMREC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_ARGS) >/dev/null

build-san: deps $(BUILD_SAN)/CMakeCache.txt
	cmake --build $(BUILD_SAN) -j$(JOBS)

# Record the built-in VMM running the seed scenario under the QEMU 2.7 rule,
# then replay it: the verdict names the doubly injected vector.
demo: build
	./scripts/demo.sh $(BUILD)

check-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

check-san: build-san
	ctest --test-dir $(BUILD_SAN) --output-on-failure -j$(JOBS)

# The test command: the suite, then the same suite under ASan+UBSan.
check: check-fast check-san

clean:
	rm -rf $(BUILD) $(BUILD_SAN)
