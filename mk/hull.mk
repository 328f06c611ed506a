# The hull engine binary (images, registry, storage) and its unit tests.
HULL_LIB_SRC := $(wildcard src/image/*.c src/registry/*.c src/storage/*.c)
HULL_CLI_SRC := $(wildcard src/cli/hull/*.c)
HULL_SRC := $(BASE_SRC) $(HULL_LIB_SRC) $(HULL_CLI_SRC)
HULL_LIBS := $(shell $(PKG_CONFIG) --libs libarchive libcurl libcrypto jansson 2>/dev/null || \
	echo -larchive -lcurl -lcrypto -ljansson)

all: $(BUILD)/hull

$(BUILD)/hull: $(call obj,$(HULL_SRC))
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(HULL_LIBS)

# test_ref*.c and test_image*.c link the image library instead of the runtime's.
HULL_UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,\
	$(wildcard tests/unit/test_ref*.c tests/unit/test_image*.c))
$(HULL_UNIT_TESTS): $(BUILD)/unit/%: tests/unit/%.c $(call sanobj,$(BASE_SRC) $(HULL_LIB_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -Itests/unit -o $@ $(filter %.c %.o,$^) $(HULL_LIBS) $(HULLC_LIBS) -lcmocka

install: install-hull
install-hull: $(BUILD)/hull
	install -D -m 0755 $(BUILD)/hull $(DESTDIR)$(BINDIR)/hull

.PHONY: install-hull
