# Thin wrapper over CMake: `make demo` and `make check` do all set-up.
BUILD      ?= build
BUILD_SAN  ?= build-san
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: all deps build build-san demo check check-fast check-san install deb clean

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

# Installs under CMAKE_INSTALL_PREFIX (default /usr/local); DESTDIR=... stages it.
install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

# The Debian package, built for /usr in its own tree: build-deb/kvmrec_*.deb.
BUILD_DEB ?= build-deb
deb: deps
	cmake -S . -B $(BUILD_DEB) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr $(CMAKE_ARGS) >/dev/null
	cmake --build $(BUILD_DEB) -j$(JOBS)
	cd $(BUILD_DEB) && cpack -G DEB

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_DEB)
