#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vtpilot contributors
# Apache License 2.0 (see LICENSE at the root of the vtpilot repository)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: vtpilot_preflight
short_description: The runbook's pre-flight checks on running AIX 7.1 LPARs, and the disk pins as facts
version_added: 0.1.0
description:
  - Runs C(vtpilot preflight) on each LPAR of I(lpars), one after the other, over its HMC console;
    logs in, runs C(oslevel -s), C(lppchk -v), C(bootlist), C(lspv), C(lscfg), C(lsvg), C(df), and
    logs out. It refuses when the alt_disk_copy clone is missing, two disks are in doubt,
    C(lppchk) is not clean, the boot list is not on the rootvg disk, a file system is short of
    space, rootvg has stale partitions, a pin disagrees, or the system is already at
    I(expect_level).
  - Returns the checks and the pins (target and clone PVID and location) as facts, ready to give
    C(vtpilot_migrate) as each LPAR's C(target) and C(clone).
  - Nothing is powered on; the LPARs must be running AIX at their login prompt.
author:
  - vtpilot contributors (@vtpilot)
extends_documentation_fragment:
  - vtpilot.power.vtpilot
  - vtpilot.power.vtpilot.ROOT_LOGIN
notes:
  - Supports check mode (it only reads); it never reports C(changed).
'''

EXAMPLES = r'''
- name: Pre-flight, and keep the pins
  vtpilot.power.vtpilot_preflight:
    hmc_host: "{{ inventory_hostname }}"
    hmc_auth: {username: hscroot, password: "{{ hmc_password }}"}
    managed_system: Server-8247-42L-SN21271DA
    root_password: "{{ aix_root_password }}"
    lpars: [{name: lpar01}, {name: lpar02}]
  register: pre

- name: The pins of lpar01
  ansible.builtin.debug:
    var: ansible_facts.vtpilot_preflight.lpar01.pins
'''

RETURN = r'''
ansible_facts:
  description: Facts set by this module.
  returned: always
  type: complex
  contains:
    vtpilot_preflight:
      description: Per LPAR name, its pre-flight report (as in I(lpars)).
      type: dict
lpars:
  description: One report per LPAR, in the order of I(lpars).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The LPAR.
      type: str
    ok:
      description: Every check passed (ready to migrate).
      type: bool
    exit:
      description: vtpilot's exit code (0 ready, 7 a check refused, 2 config, 4 halted, 5 transport).
      type: int
    meaning:
      description: What the exit code means.
      type: str
    level:
      description: C(oslevel -s) of the running system.
      type: str
      sample: 7100-05-06-2028
    checks:
      description: Each check's C(id), C(title), C(status) (pass, fail, info) and C(detail).
      type: list
      elements: dict
    pins:
      description: C(target_disk), C(target_pvid), C(target_location), C(clone_disk), C(clone_pvid), C(clone_location).
      type: dict
    plan:
      description: What the migration will do, step by step.
      type: list
      elements: str
    reason:
      description: The first failed check, or why there is no verdict.
      type: str
    code:
      description: The halt's reason code when the console conversation did not finish.
      type: str
    outcome:
      description: vtpilot's outcome when the conversation did not finish.
      type: str
    last_screen:
      description: The console's last screen when the conversation did not finish.
      type: list
      elements: str
    transcript:
      description: The transcript, when vtpilot reported it.
      type: str
    stderr:
      description: vtpilot's messages.
      type: str
failed_lpars:
  description: The LPARs not ready to migrate.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.vtpilot.power.plugins.module_utils.vtpilot import (
    Workdir, common_argument_spec, root_login_argument_spec, shell_checks, vtpilot_binary, write_config,
)


def main():
    spec = common_argument_spec()
    spec.update(root_login_argument_spec())
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    vt = vtpilot_binary(module)
    with Workdir() as work:
        config_path, config_text = write_config(module, work, power_on=False)
        results = shell_checks(module, vt, work, config_path, 'preflight')
    failed = [r['name'] for r in results if r['exit'] != 0]
    out = dict(changed=False, lpars=results, failed_lpars=failed, config=config_text,
               ansible_facts=dict(vtpilot_preflight=dict((r['name'], r) for r in results)))
    if failed:
        module.fail_json(msg='not ready: ' + '; '.join('%s: %s' % (r['name'], r['reason']) for r in results if r['exit'] != 0),
                         **out)
    module.exit_json(msg='ready to migrate: ' + ', '.join(r['name'] for r in results), **out)


if __name__ == '__main__':
    main()
