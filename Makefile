# Front door over CMake. `make help` lists the targets.
BUILD ?= build
ASAN_BUILD ?= build-asan
DEB_BUILD ?= build-deb
ZIP_BUILD ?= build-zip
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 20
FUZZ_LONG_SECONDS ?= 3600
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

# Debian packages the build and every test need (kept here, in one place,
# so the README's set-up and CI install the same things).
DEBIAN_PACKAGES = build-essential cmake pkg-config libmnl-dev libcmocka-dev \
	swig python3-dev python3-pytest python3-psutil python3-setuptools \
	python3-jsonschema python3-venv python3-pip iproute2 nftables net-tools \
	gcc-mingw-w64-x86-64 wine wine64 prometheus prometheus-node-exporter tmux \
	ansible-core yamllint chromium fonts-dejavu-core \
	dpkg-dev file lintian man-db groff-base bash-completion zsh python3-apt \
	clang libclang-rt-14-dev bpftool libbpf-dev strace

.PHONY: help deps build run check test asan bench clean install deb zip collection check-system \
	fuzz-smoke fuzz-long

help:
	@echo "make deps     install the Debian packages the build and tests need (root)"
	@echo "make build    configure and build into $(BUILD)/ (warnings are errors)"
	@echo "make run      sockstate --summary, then the listing (the main job)"
	@echo "make test     build and run the test suite (ctest)"
	@echo "make asan     build and run the test suite under ASan+UBSan in $(ASAN_BUILD)/"
	@echo "make check    test + asan + check-system + fuzz-smoke: every test"
	@echo "make fuzz-smoke  clang build in $(FUZZ_BUILD)/, every fuzzer $(FUZZ_SECONDS) s"
	@echo "make fuzz-long   every fuzzer $(FUZZ_LONG_SECONDS) s, JOBS processes each"
	@echo "make check-system  install the .debs here, use them, remove them (root; changes the system)"
	@echo "make deb      Debian packages into $(DEB_BUILD)/packages/ (docs/PACKAGING.md)"
	@echo "make zip      the Windows zip (MinGW cross build) into $(ZIP_BUILD)/packages/"
	@echo "make collection  the Ansible collection tarball into $(BUILD)/packages/"
	@echo "make bench    benchmarks against ss, netstat, psutil (root; writes docs/BENCHMARKS.md)"
	@echo "make install  cmake --install $(BUILD) (PREFIX=/usr/local)"
	@echo "make clean    remove the build directories"

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "all Debian packages present"; fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DSOCKSTATE_WERROR=ON $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/sockstate --summary
	./$(BUILD)/sockstate

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

asan:
	cmake -S . -B $(ASAN_BUILD) -DSOCKSTATE_WERROR=ON -DSOCKSTATE_SANITIZE=ON \
	  -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -LE nosan

check-system: build
	SOCKSTATE_SYSTEM_TESTS=1 ctest --test-dir $(BUILD) --output-on-failure -L system

check: test asan check-system fuzz-smoke

fuzz-smoke:
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DSOCKSTATE_FUZZ=ON \
	  -DSOCKSTATE_FUZZ_SECONDS=$(FUZZ_SECONDS) -DSOCKSTATE_WERROR=ON $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	ctest --test-dir $(FUZZ_BUILD) -L fuzz --output-on-failure -j $(JOBS)

fuzz-long:
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DSOCKSTATE_FUZZ=ON \
	  -DSOCKSTATE_WERROR=ON $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	tests/fuzz/run_fuzzers.sh --seconds $(FUZZ_LONG_SECONDS) --jobs $(JOBS) $(FUZZ_BUILD)

deb:
	cmake -DKIND=deb -DSOURCE_DIR=$(CURDIR) -DBINARY_DIR=$(CURDIR)/$(DEB_BUILD) -DJOBS=$(JOBS) -P tests/packaging/build_packages.cmake

zip:
	cmake -DKIND=zip -DSOURCE_DIR=$(CURDIR) -DBINARY_DIR=$(CURDIR)/$(ZIP_BUILD) -DJOBS=$(JOBS) -P tests/packaging/build_packages.cmake

collection:
	mkdir -p $(BUILD)/packages
	ansible-galaxy collection build --force --output-path $(BUILD)/packages examples/ansible/ansible_collections/sockstate/tcp

bench: build
	python3 tests/bench/run.py --build $(BUILD)

install: build
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(DEB_BUILD) $(ZIP_BUILD) $(FUZZ_BUILD)
