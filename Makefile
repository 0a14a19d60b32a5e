# clawgate - privilege-separated gateway for AI agents.
# GNU make.  `make` builds, `make check` tests, `make run` starts a local
# suite, `make fuzz` fuzzes for longer, `make bench` measures.

CC		?= cc
FUZZCC		?= clang
PKGS		 = libevent libevent_openssl libsodium libcjson lmdb libcap \
		   libseccomp libssl libcrypto
RUNDIR		?= $(CURDIR)/run
PORT		?= 18789
PREFIX		?= /usr/local
FUZZTIME	?= 20
FUZZSMOKE	?= 15

ifeq ($(SANITIZE),1)
BUILD		?= build-san
SANFLAGS	 = -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined -DCLAWGATE_SANITIZE
else
BUILD		?= build
SANFLAGS	 =
endif
ifeq ($(TESTHOOKS),1)
BUILD		:= $(BUILD)-test
SANFLAGS	+= -DCLAWGATE_TEST_HOOKS
endif

PKG_CFLAGS	 = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	 = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lwslay
CFLAGS		?= -O2 -g
CFLAGS		+= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
		   -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
		   -Wpointer-arith -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
		   -fPIE -Icommon $(PKG_CFLAGS) $(SANFLAGS)
LDFLAGS		+= -pie -Wl,-z,relro,-z,now $(SANFLAGS)

COMMON_SRCS	 = $(wildcard common/*.c)
COMMON_OBJS	 = $(COMMON_SRCS:%.c=$(BUILD)/%.o)
PROGS		 = gatewayd authd secretd agentd execd clawctl
gatewayd_DIR	 = gatewayd
authd_DIR	 = authd
secretd_DIR	 = secretd
agentd_DIR	 = agentd
execd_DIR	 = execd
clawctl_DIR	 = ctl

BINS		 = $(PROGS:%=$(BUILD)/bin/%)

.PHONY: all deps check check-unit check-integration check-fuzz fuzz run \
	users install bench clean lint

all: $(BINS) $(BUILD)/tests/evilfront $(BUILD)/tests/evilagent

# -MMD: every object also depends on the headers it includes
$(BUILD)/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

$(BUILD)/libcommon.a: $(COMMON_OBJS)
	ar rcs $@ $^

define prog_rule
$(BUILD)/bin/$(1): $$(patsubst %.c,$(BUILD)/%.o,$$(wildcard $$($(1)_DIR)/*.c)) $(BUILD)/libcommon.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

# a stand-in for a compromised front, used by the integration tests
$(BUILD)/tests/evilfront: $(BUILD)/tests/integration/evilfront.o $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# a stand-in for agentd, for secretd's access rules
$(BUILD)/tests/evilagent: $(BUILD)/tests/integration/evilagent.o $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# ---- dependencies (Debian 12) ----
deps:
	@sh etc/deps.sh

# ---- tests ----
UNIT_TESTS	 = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

# unit tests of a process's own modules link those objects too
TEST_OBJS_ratelimit	 = $(BUILD)/authd/ratelimit.o
TEST_OBJS_http_auth	 = $(BUILD)/gatewayd/http_auth.o
TEST_OBJS_device	 = $(BUILD)/authd/device.o
TEST_INC_device		 = -Iauthd
TEST_OBJS_vault		 = $(BUILD)/secretd/vault.o
TEST_INC_vault		 = -Isecretd
TEST_OBJS_verify	 = $(BUILD)/secretd/verify.o
TEST_INC_verify		 = -Isecretd
TEST_OBJS_pairing	 = $(BUILD)/authd/pairing.o
TEST_INC_pairing	 = -Iauthd
TEST_INC_ratelimit	 = -Iauthd
TEST_INC_http_auth	 = -Igatewayd
TEST_OBJS_sse		 = $(BUILD)/agentd/sse.o
TEST_INC_sse		 = -Iagentd
TEST_OBJS_model		 = $(BUILD)/agentd/model_wire.o \
			   $(BUILD)/agentd/model_openai.o \
			   $(BUILD)/agentd/model_anthropic.o $(BUILD)/agentd/sse.o
TEST_INC_model		 = -Iagentd
TEST_OBJS_sessionkey	 = $(BUILD)/agentd/sessionkey.o
TEST_INC_sessionkey	 = -Iagentd
TEST_OBJS_skillmd	 = $(BUILD)/agentd/skillmd.o
TEST_INC_skillmd	 = -Iagentd

.SECONDEXPANSION:
$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libcommon.a $$(TEST_OBJS_$$*)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_INC_$*) $(LDFLAGS) -o $@ $< $(TEST_OBJS_$*) \
	    $(BUILD)/libcommon.a $(PKG_LIBS) -lcmocka

check: deps
	$(MAKE) check-unit
	$(MAKE) check-integration
	$(MAKE) check-fuzz

check-unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done

check-integration: all
	$(MAKE) TESTHOOKS=1 all
	bash tests/integration/run.sh $(BUILD) $(BUILD)-test

# ---- fuzzing (libFuzzer) ----
FUZZ_TARGETS	 = $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS	 = -std=c11 -D_GNU_SOURCE -g -O1 -Icommon $(PKG_CFLAGS) \
		   -fsanitize=fuzzer,address,undefined

# harnesses of a process's own decoders compile those sources too
FUZZ_SRCS_httpauth	 = gatewayd/http_auth.c
FUZZ_INC_httpauth	 = -Igatewayd
FUZZ_SRCS_connect	 = gatewayd/gw_connect.c
FUZZ_INC_connect	 = -Igatewayd
FUZZ_INC_wsframe	 = -Igatewayd
FUZZ_SRCS_wsframe	 = gatewayd/ws.c gatewayd/http_auth.c
FUZZ_SRCS_device	 = authd/device.c
FUZZ_INC_device		 = -Iauthd
FUZZ_SRCS_schema	 = agentd/schema.c
FUZZ_INC_schema		 = -Iagentd
FUZZ_SRCS_verify	 = secretd/verify.c
FUZZ_INC_verify		 = -Isecretd
FUZZ_SRCS_sse		 = agentd/sse.c
FUZZ_INC_sse		 = -Iagentd
FUZZ_SRCS_openai	 = agentd/sse.c agentd/model_wire.c \
			   agentd/model_openai.c agentd/model_anthropic.c
FUZZ_INC_openai		 = -Iagentd
FUZZ_SRCS_anthropic	 = $(FUZZ_SRCS_openai)
FUZZ_INC_anthropic	 = -Iagentd
FUZZ_SRCS_sessionkey	 = agentd/sessionkey.c
FUZZ_INC_sessionkey	 = -Iagentd
FUZZ_SRCS_skillmd	 = agentd/skillmd.c
FUZZ_INC_skillmd	 = -Iagentd

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(COMMON_SRCS) $(wildcard common/*.h) $$(FUZZ_SRCS_$$*)
	@mkdir -p build-fuzz
	$(FUZZCC) $(FUZZ_CFLAGS) $(FUZZ_INC_$*) -o $@ $< $(FUZZ_SRCS_$*) \
	    $(COMMON_SRCS) $(PKG_LIBS)

check-fuzz: $(FUZZ_TARGETS)
	@set -e; for f in $(FUZZ_TARGETS); do \
	    n=$$(basename $$f); mkdir -p build-fuzz/corpus-$$n; \
	    echo "== $$n ($(FUZZSMOKE) s)"; \
	    if ! $$f -max_total_time=$(FUZZSMOKE) -artifact_prefix=build-fuzz/ \
	        build-fuzz/corpus-$$n tests/fuzz/seeds/$$n \
	        > build-fuzz/$$n.log 2>&1; then \
	        tail -n 40 build-fuzz/$$n.log; exit 1; fi; \
	    tail -n 1 build-fuzz/$$n.log; \
	done

fuzz: $(FUZZ_TARGETS)
	@set -e; for f in $(FUZZ_TARGETS); do \
	    n=$$(basename $$f); mkdir -p build-fuzz/corpus-$$n; \
	    $$f -max_total_time=$(FUZZTIME) -artifact_prefix=build-fuzz/ \
	        build-fuzz/corpus-$$n tests/fuzz/seeds/$$n; \
	done

# ---- running ----
users:
	@sh etc/mkusers.sh

run: deps
	@$(MAKE) --no-print-directory all
	@sh etc/mkusers.sh
	@sh etc/run.sh $(BUILD)/bin "$(RUNDIR)" "$(PORT)"

install: all users
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/libexec/clawgate \
	    $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man5 \
	    $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)/etc/clawgate
	install -m 0755 $(BUILD)/bin/gatewayd $(DESTDIR)$(PREFIX)/sbin/
	install -m 0755 $(BUILD)/bin/clawctl $(DESTDIR)$(PREFIX)/bin/
	install -m 0755 $(BUILD)/bin/authd $(BUILD)/bin/secretd \
	    $(BUILD)/bin/agentd $(BUILD)/bin/execd \
	    $(DESTDIR)$(PREFIX)/libexec/clawgate/
	install -m 0644 man/clawgate.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 man/gatewayd.8 man/clawctl.8 man/authd.8 man/secretd.8 \
	    man/agentd.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	[ -f $(DESTDIR)/etc/clawgate/clawgate.conf ] || \
	    install -m 0644 etc/clawgate.conf $(DESTDIR)/etc/clawgate/

bench: deps
	@$(MAKE) --no-print-directory all
	@sh etc/mkusers.sh
	bash bench/startup.sh $(BUILD)/bin
	bash bench/http.sh $(BUILD)/bin
	bash bench/turns.sh $(BUILD)/bin

lint:
	mandoc -Tlint -W warning man/*.[1-9]

clean:
	rm -rf build build-san build-test build-san-test build-fuzz
