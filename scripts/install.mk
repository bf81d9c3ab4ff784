# make install / install-udev / uninstall (issue 14, "Install").
#
# Everything goes under $(DESTDIR)$(PREFIX) (PREFIX=$HOME/.local works as
# any user): the stripped swdd, the swdd-st-util and swdd-openocd links
# (the st-util and OpenOCD command lines, for IDE launchers), swdd(1) generated from `swdd --help` by scripts/gen_man.sh,
# and in $(PREFIX)/share/swdd the udev rules and the x8 flash algorithm.
# The udev rules are read by udev from /etc/udev/rules.d only, so they have
# their own step, run as root: make install-udev.

BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/swdd
# The lab for --probe sim (server/lab_dl.c finds it as ../lib/swdd from bin/).
LABDIR := $(PREFIX)/lib/swdd
UDEVRULESDIR ?= /etc/udev/rules.d
INSTALL ?= install
STRIP ?= strip
MAN_PAGE := $(BUILD)/swdd.1
INSTALLED := $(BINDIR)/swdd $(BINDIR)/swdd-st-util $(BINDIR)/swdd-openocd $(MANDIR)/man1/swdd.1 \
	$(DATADIR)/60-swdd.rules $(DATADIR)/stm32f4_x8.flm $(LABDIR)/libswdd-lab.so

$(MAN_PAGE): $(SWDD_BIN) scripts/gen_man.sh
	sh scripts/gen_man.sh $(SWDD_BIN) > $@.tmp && mv $@.tmp $@

install: $(SWDD_BIN) $(MAN_PAGE) $(BUILD)/flashalgo/stm32f4_x8.flm $(LAB_SO)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR) $(DESTDIR)$(LABDIR)
	$(INSTALL) -m 644 -s --strip-program=$(STRIP) $(LAB_SO) $(DESTDIR)$(LABDIR)/libswdd-lab.so
	$(INSTALL) -m 755 -s --strip-program=$(STRIP) $(SWDD_BIN) $(DESTDIR)$(BINDIR)/swdd
	ln -sf swdd $(DESTDIR)$(BINDIR)/swdd-st-util
	ln -sf swdd $(DESTDIR)$(BINDIR)/swdd-openocd
	$(INSTALL) -m 644 $(MAN_PAGE) $(DESTDIR)$(MANDIR)/man1/swdd.1
	$(INSTALL) -m 644 contrib/60-swdd.rules $(BUILD)/flashalgo/stm32f4_x8.flm $(DESTDIR)$(DATADIR)/
	@echo "swdd: installed under $(DESTDIR)$(PREFIX). For probe access without root, as root run:"
	@echo "  make install-udev    (or: install -m 644 $(DATADIR)/60-swdd.rules $(UDEVRULESDIR)/)"
	@echo "  udevadm control --reload && udevadm trigger    then replug the probe"

install-udev:
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -ne 0 ]; then \
		echo "swdd: install-udev writes $(UDEVRULESDIR): run it as root (sudo make install-udev)"; \
		exit 1; fi
	$(INSTALL) -d $(DESTDIR)$(UDEVRULESDIR)
	$(INSTALL) -m 644 contrib/60-swdd.rules $(DESTDIR)$(UDEVRULESDIR)/60-swdd.rules
	@echo "swdd: now run as root: udevadm control --reload && udevadm trigger; then replug the probe"

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(DATADIR) $(DESTDIR)$(LABDIR) 2>/dev/null

uninstall-udev:
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-swdd.rules
