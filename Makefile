# Herald: build, install and package.
#
#   make build                      release binary in .build-static (Swift stdlib linked statically)
#   make install [PREFIX=/usr/local] [DESTDIR=]
#   make deb                        dist/herald_<version>_<arch>.deb (needs dpkg-deb)
#   make image [IMAGE=herald:<version>] [CONTAINER=podman|docker]
#                                   the OCI image (Containerfile): the release binary FROM scratch
#   make test                       scripts/test
#
# install never overwrites an operator's files under $(SYSCONFDIR)/herald: a file that exists
# and differs is left alone and the shipped one is written beside it as <name>.example.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
DOCDIR     ?= $(PREFIX)/share/doc/herald
DESTDIR    ?=

SWIFT       ?= swift
# Its own build folder: the static-stdlib release build must not share one with the benchmarks'
# dynamically linked release builds (a shared folder would keep whichever was linked last).
SCRATCH     ?= .build-static
SWIFT_FLAGS ?= -c release --product herald --scratch-path $(SCRATCH) --static-swift-stdlib -Xswiftc -warnings-as-errors
# The binary to install or package; `make deb HERALD_BIN=...` packages one built elsewhere.
HERALD_BIN  ?= $(SCRATCH)/release/herald

VERSION  := $(shell sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/HeraldDaemon/HeraldVersion.swift)
DEB_ARCH ?= $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DIST     ?= dist
DEB      := $(DIST)/herald_$(VERSION)_$(DEB_ARCH).deb

INSTALL ?= install
STRIP   ?= strip

.PHONY: all build test install install-bin install-units install-docs install-config deb image clean-dist FORCE

all: build

build:
	$(SWIFT) build $(SWIFT_FLAGS)

# Always asks SwiftPM, which rebuilds only what changed.
$(SCRATCH)/release/herald: FORCE
	$(SWIFT) build $(SWIFT_FLAGS)

FORCE:

test:
	scripts/test

install: install-bin install-units install-docs install-config

# Installed stripped: 61 MB instead of 80 (the rest is mostly the ICU data Foundation links in).
install-bin: $(HERALD_BIN)
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 0755 $(HERALD_BIN) $(DESTDIR)$(BINDIR)/herald
	$(STRIP) --strip-unneeded $(DESTDIR)$(BINDIR)/herald

# The units name /usr/bin/herald and /etc/herald; they are rewritten for BINDIR and SYSCONFDIR.
install-units:
	$(INSTALL) -d $(DESTDIR)$(UNITDIR)
	for unit in herald.service herald.socket; do \
	    sed -e 's|/usr/bin/herald|$(BINDIR)/herald|g' -e 's|/etc/herald|$(SYSCONFDIR)/herald|g' \
	        -e 's|/usr/share/doc/herald|$(DOCDIR)|g' etc/systemd/$$unit > $(DESTDIR)$(UNITDIR)/$$unit.tmp && \
	    chmod 0644 $(DESTDIR)$(UNITDIR)/$$unit.tmp && mv $(DESTDIR)$(UNITDIR)/$$unit.tmp $(DESTDIR)$(UNITDIR)/$$unit || exit 1; \
	done

# README, the Kratos snippets, the Grafana dashboard and pristine copies of the examples.
install-docs:
	$(INSTALL) -d $(DESTDIR)$(DOCDIR)/examples/routes.d $(DESTDIR)$(DOCDIR)/examples/templates \
	    $(DESTDIR)$(DOCDIR)/kratos $(DESTDIR)$(DOCDIR)/grafana
	$(INSTALL) -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	$(INSTALL) -m 0644 etc/herald/herald.yaml $(DESTDIR)$(DOCDIR)/examples/herald.yaml
	$(INSTALL) -m 0644 etc/herald/routes.d/*.yaml $(DESTDIR)$(DOCDIR)/examples/routes.d/
	$(INSTALL) -m 0644 etc/herald/templates/* $(DESTDIR)$(DOCDIR)/examples/templates/
	$(INSTALL) -m 0644 etc/kratos/* $(DESTDIR)$(DOCDIR)/kratos/
	$(INSTALL) -m 0644 etc/grafana/herald-dashboard.json $(DESTDIR)$(DOCDIR)/grafana/

install-config:
	scripts/install-config etc/herald $(DESTDIR)$(SYSCONFDIR)/herald

# A Debian package: the binary and units under /usr and /lib, a starter /etc/herald/herald.yaml
# (outbox, loopback, a generated ingress key) that starts at once, the production examples in
# /usr/share/doc/herald/examples.
deb: $(HERALD_BIN)
	scripts/build-deb "$(HERALD_BIN)" "$(VERSION)" "$(DEB_ARCH)" "$(DEB)"

# The OCI image: scripts/image-rootfs stages the binary, the shared libraries it loads, CA
# certificates and the starter config in .build-image/ (the Containerfile copies from there), then
# podman or docker builds it. podman is told --format docker, which keeps the HEALTHCHECK (the OCI
# format has none). CONTAINER_BUILD_FLAGS adds flags (scripts/test-containers: --isolation chroot).
CONTAINER             ?= podman
IMAGE                 ?= herald:$(VERSION)
CONTAINER_BUILD_FLAGS ?=
IMAGE_FORMAT          := $(if $(findstring podman,$(CONTAINER)),--format docker,)

image: $(HERALD_BIN)
	scripts/image-rootfs "$(HERALD_BIN)" .build-image
	$(CONTAINER) build $(IMAGE_FORMAT) $(CONTAINER_BUILD_FLAGS) \
	    --build-arg VERSION="$(VERSION)" \
	    --build-arg REVISION="$$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
	    --build-arg CREATED="$$(git log -1 --format=%cI 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)" \
	    -t "$(IMAGE)" -f Containerfile .

clean-dist:
	rm -rf $(DIST)
