# -*- coding: utf-8 -*-
# Copyright: vtpilot contributors
# Apache License 2.0 (see LICENSE at the root of the vtpilot repository)
from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The options every vtpilot module shares: the HMC (the inventory host, as in ibm.power_hmc),
    # the LPARs behind it, and what vtpilot's TOML config says for each. Each option is one config
    # key of `vtpilot run --config` (README "Against a real HMC").
    DOCUMENTATION = r'''
options:
  hmc_host:
    description:
      - The HMC to ssh to, as in C(ibm.power_hmc) (a name, an address, or a C(Host) of the ssh config).
      - The config's C([hmc] host).
    type: str
    required: true
  hmc_port:
    description:
      - The HMC's ssh port (C([hmc] port)); default from the ssh config, else 22.
    type: int
  hmc_auth:
    description:
      - How to log in to the HMC, as in C(ibm.power_hmc).
      - A password is written to a private (mode 0600) temporary file that only vtpilot reads and
        that is removed afterwards; it is never on a command line or in the environment.
    type: dict
    required: true
    suboptions:
      username:
        description: The HMC user (C([hmc] user)), for example C(hscroot).
        type: str
        required: true
      password:
        description: The HMC user's password; leave it out to use a key.
        type: str
      identity_file:
        description: A private key without passphrase (C([hmc] identity)); else ssh-agent, then the default keys.
        type: path
  known_hosts:
    description:
      - The known_hosts file the HMC's host key is checked against (C([hmc] known_hosts)).
      - An unknown or changed host key fails the task (exit 5); it is never accepted silently.
    type: path
  ssh_config:
    description: The ssh config to read (C([hmc] ssh_config)); default C(~/.ssh/config).
    type: path
  connect_timeout_s:
    description: Seconds to connect to the HMC (C([hmc] connect_timeout_s)).
    type: float
  reconnect_attempts:
    description: Reconnects after a dropped connection mid-run (C([hmc] reconnect_attempts)).
    type: int
  max_concurrent:
    description:
      - At most this many LPARs of this HMC are driven at once in the one vtpilot process
        (C([hmc] max_concurrent)); the others wait their turn in the order of I(lpars).
    type: int
    default: 4
  managed_system:
    description: The managed system the LPARs are on (C(lssyscfg -r sys -F name)).
    type: str
    required: true
  lpars:
    description:
      - The LPARs behind this HMC, each an C([[lpar]]) of the config; the options below that are
        not given for an LPAR come from the module's own options.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The partition name on the HMC.
        type: str
        required: true
      profile:
        description: The partition profile to activate (overrides I(profile)).
        type: str
      vtd:
        description: The LPAR's virtual optical device on the VIOS (overrides I(vtd)).
        type: str
      media:
        description: The ISO names for this LPAR (overrides I(media)).
        type: list
        elements: str
      target:
        description:
          - The install target (C(target = {...})); a PVID or location outranks the name.
          - C(vtpilot_preflight) returns these pins.
        type: dict
        suboptions:
          disk:
            description: The target's hdisk name.
            type: str
          pvid:
            description: The target's PVID (C(lspv)).
            type: str
          location:
            description: The target's physical location code (C(lscfg -vl hdiskN)).
            type: str
          size_mb:
            description: The target's size in MB (counts only when no other root VG shows that size).
            type: int
      clone:
        description: The alt_disk_copy clone (C(clone = {...})), never installed on.
        type: dict
        suboptions:
          pvid:
            description: The clone's PVID.
            type: str
          location:
            description: The clone's physical location code.
            type: str
  profile:
    description: The partition profile activated into SMS (C(profile)).
    type: str
    default: default_profile
  vios:
    description: The VIOS that serves the virtual optical device (C(vios)); needed for more than one volume.
    type: str
  vtd:
    description: The virtual optical device (C(vtd)).
    type: str
    default: vtopt0
  media:
    description: ISO names in the VIOS media library, volume 1 first (C(media)).
    type: list
    elements: str
  media_pattern:
    description: A regex for the install media's SMS label (C(media_pattern)); default the built-in one.
    type: str
  media_location:
    description: The install media's location code in SMS (C(media_location)).
    type: str
  pacing_ms:
    description: Milliseconds between key bytes (C(pacing_ms)); service processors drop bytes sent at full speed.
    type: float
  timeout_s:
    description: Seconds on one screen with nothing changing before the LPAR halts (C(timeout_s)).
    type: float
  confirm_timeout_s:
    description: Seconds for the console to react to keys before checking what arrived (C(confirm_timeout_s)).
    type: float
  transcripts:
    description:
      - The folder for the transcripts (C(transcripts)), one C(<lpar>-DATE-TIME.cast) per LPAR and run.
      - It must exist on the controller.
    type: path
  take_over:
    description: Free a console held by another session with C(rmvterm) (C(take_over)).
    type: bool
    default: false
  reclaim_own_vterm:
    description: After a dropped connection, C(rmvterm) the console our own dropped session still holds (C(reclaim_own_vterm)).
    type: bool
    default: true
  vtpilot_path:
    description: The vtpilot binary on the controller; a name is looked up in C(PATH).
    type: path
    default: vtpilot
'''

    # The console login of verify, preflight and migrate's verify/check mode.
    ROOT_LOGIN = r'''
options:
  root_user:
    description: The AIX user to log in as on the console.
    type: str
    default: root
  root_password:
    description:
      - That user's password, written to a private (mode 0600) temporary file for vtpilot's
        C(--password-file); never argv, environment, logs or transcripts (recorded as C(***)).
    type: str
  expect_level:
    description:
      - The level C(oslevel -s) must start with after the migration (C(--expect-level)); for
        preflight, the level the migration installs (refused when the system is already there).
    type: str
    default: 7200-05
'''
