#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vtpilot contributors
# Apache License 2.0 (see LICENSE at the root of the vtpilot repository)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: vtpilot_verify
short_description: The runbook's acceptance checks on migrated AIX LPARs, over their consoles
version_added: 0.1.0
description:
  - Runs C(vtpilot verify) on each LPAR of I(lpars), one after the other; it logs in on the console
    (answering the first boot's TERM prompt and license), runs C(oslevel -s), C(lppchk -v), the
    maintenance level, the boot list and rootvg disk, the clone still altinst_rootvg, C(errpt),
    and logs out.
  - Fails when a check fails (exit 7), with every check as a structured field.
  - Nothing is powered on; the LPARs must be running AIX.
author:
  - vtpilot contributors (@vtpilot)
extends_documentation_fragment:
  - vtpilot.power.vtpilot
  - vtpilot.power.vtpilot.ROOT_LOGIN
notes:
  - Supports check mode (it only reads); it never reports C(changed).
'''

EXAMPLES = r'''
- name: Acceptance checks after the migration
  vtpilot.power.vtpilot_verify:
    hmc_host: "{{ inventory_hostname }}"
    hmc_auth: {username: hscroot, password: "{{ hmc_password }}"}
    managed_system: Server-8247-42L-SN21271DA
    root_password: "{{ aix_root_password }}"
    expect_level: 7200-05
    lpars: [{name: lpar01}, {name: lpar02}]
'''

RETURN = r'''
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
      description: Every check passed.
      type: bool
    exit:
      description: vtpilot's exit code (0 passed, 7 a check failed, 2 config, 4 halted, 5 transport).
      type: int
    meaning:
      description: What the exit code means.
      type: str
    level:
      description: C(oslevel -s) read on the console.
      type: str
      sample: 7200-05-11-2546
    checks:
      description: Each check's C(id), C(title), C(status) and C(detail).
      type: list
      elements: dict
    pins:
      description: The disks verify identified (as preflight's pins).
      type: dict
    plan:
      description: Unused by verify (empty).
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
oslevel:
  description: Per LPAR name, the level read.
  returned: always
  type: dict
  sample: {"lpar01": "7200-05-11-2546"}
failed_lpars:
  description: The LPARs whose checks failed or could not run.
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
        results = shell_checks(module, vt, work, config_path, 'verify')
    failed = [r['name'] for r in results if r['exit'] != 0]
    out = dict(changed=False, lpars=results, failed_lpars=failed, config=config_text,
               oslevel=dict((r['name'], r['level']) for r in results))
    if failed:
        module.fail_json(msg='verify failed: ' + '; '.join('%s: %s' % (r['name'], r['reason']) for r in results if r['exit'] != 0),
                         **out)
    module.exit_json(msg='all checks passed: ' + ', '.join(r['name'] for r in results), **out)


if __name__ == '__main__':
    main()
