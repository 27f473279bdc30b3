# mk/tools.mk — pinned CLI tools (OPA, Regal, actionlint) built from source.
#
# Included by the top-level Makefile (`include mk/tools.mk`); paths are relative to the repo root.
#
# Each tool has its own Go module under tools/go/<tool>/ whose go.mod `tool` directive names the
# upstream main package and whose committed go.sum pins every dependency. Sources come through the
# Go module proxy only (no release binaries). Each module is separate on purpose: Regal pins its own
# OPA version, which MVS would otherwise unify with ours.
#
# A binary is rebuilt only when its module's go.mod/go.sum is newer than it, so a second `make tools`
# does nothing. To bump a pin:
#   cd tools/go/opa && go get -tool github.com/open-policy-agent/opa@vX.Y.Z && go mod tidy
# (same for regal / actionlint), commit go.mod + go.sum, run `make tools`.

TOOLS_BIN := .tools/bin
TOOLS_GO_DIR := tools/go

OPA := $(TOOLS_BIN)/opa
REGAL := $(TOOLS_BIN)/regal
ACTIONLINT := $(TOOLS_BIN)/actionlint

TOOLS_BINS := $(OPA) $(REGAL) $(ACTIONLINT)

TOOLS_GO ?= go
# -mod=readonly: go.mod/go.sum are the pins; a build never edits them (fails instead).
# CGO off: static binaries, as upstream releases them; GOWORK off: ignore any go.work around.
TOOLS_GO_BUILD = CGO_ENABLED=0 GOWORK=off $(TOOLS_GO) build -mod=readonly -trimpath -buildvcs=false

# $(call tools_go_build,<tool>,<main package>[,<module>,<version variable>])
# With <module> and <version variable>, stamps `-X <version variable>=<module's version in go.mod,
# without the leading v>`, as upstream's release builds do (OPA carries its version in source).
# Builds into a temp file then renames, so an interrupted build never leaves a half-written target.
define tools_go_build
	@mkdir -p $(TOOLS_BIN)
	@echo "building $@ from $(2) (pinned in $(TOOLS_GO_DIR)/$(1)/go.mod)"
	cd $(TOOLS_GO_DIR)/$(1) && \
	$(if $(3),v=$$($(TOOLS_GO) list -mod=readonly -m -f '{{.Version}}' $(3)) && )\
	$(TOOLS_GO_BUILD) -ldflags="-s -w$(if $(4), -X $(4)=$${v#v})" -o "$(CURDIR)/$@.tmp" $(2)
	mv -f "$@.tmp" "$@"
endef

.PHONY: tools
tools: $(TOOLS_BINS)

$(OPA): $(TOOLS_GO_DIR)/opa/go.mod $(TOOLS_GO_DIR)/opa/go.sum
	$(call tools_go_build,opa,github.com/open-policy-agent/opa)

$(REGAL): $(TOOLS_GO_DIR)/regal/go.mod $(TOOLS_GO_DIR)/regal/go.sum
	$(call tools_go_build,regal,github.com/open-policy-agent/regal,github.com/open-policy-agent/regal,github.com/open-policy-agent/regal/pkg/version.Version)

$(ACTIONLINT): $(TOOLS_GO_DIR)/actionlint/go.mod $(TOOLS_GO_DIR)/actionlint/go.sum
	$(call tools_go_build,actionlint,github.com/rhysd/actionlint/cmd/actionlint,github.com/rhysd/actionlint,github.com/rhysd/actionlint.version)

.PHONY: tools-clean
tools-clean:
	rm -rf .tools
