#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vtpilot contributors
# Apache License 2.0 (see LICENSE at the root of the vtpilot repository)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: vtpilot_rollback
short_description: Boot the alt_disk_copy clone of AIX LPARs from SMS (runbook RB.2)
version_added: 0.1.0
description:
  - Runs C(vtpilot run --config) with the C(rollback) plan for the LPARs of I(lpars) in one
    process, at most I(max_concurrent) at a time; it activates each into SMS and boots the
    altinst_rootvg clone, found by its location code (C(clone.location) of each LPAR), never by a
    number. It halts at once if an LPAR ever lands in the BOS installer.
  - The LPARs must be Not Activated (shut down with C(shutdown -F)); a Running LPAR fails (exit 2).
author:
  - vtpilot contributors (@vtpilot)
extends_documentation_fragment:
  - vtpilot.power.vtpilot
options:
  power_on:
    description: Activate a Not Activated LPAR into SMS (the config's C(power_on)).
    type: bool
    default: true
notes:
  - Check mode runs C(vtpilot check) on the config and reports what would be booted.
'''

EXAMPLES = r'''
- name: Roll lpar01 back to its 7.1 clone
  vtpilot.power.vtpilot_rollback:
    hmc_host: "{{ inventory_hostname }}"
    hmc_auth: {username: hscroot, password: "{{ hmc_password }}"}
    managed_system: Server-8247-42L-SN21271DA
    lpars:
      - name: lpar01
        clone: {location: U8247.42L.21271DA-V3-C2-T1-L8200000000000000}
'''

RETURN = r'''
lpars:
  description: One result per LPAR (the fields of C(vtpilot_migrate)'s I(lpars)); C(changed) is true when it booted the clone.
  returned: always
  type: list
  elements: dict
failed_lpars:
  description: The LPARs that did not boot their clone.
  returned: always
  type: list
  elements: str
config:
  description: The config vtpilot was given.
  returned: always
  type: str
rc:
  description: vtpilot's exit code.
  returned: always
  type: int
stderr:
  description: vtpilot's messages.
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.vtpilot.power.plugins.module_utils.vtpilot import (
    Workdir, common_argument_spec, json_lines, lpar_results, vtpilot_binary, write_config,
)


def main():
    spec = common_argument_spec()
    spec.update(power_on=dict(type='bool', default=True))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    p = module.params
    missing = [l['name'] for l in p['lpars'] if not (l.get('clone') or {}).get('location')]
    if missing:
        module.fail_json(msg='the rollback boots the clone found by its location code: give clone.location for %s '
                             '(vtpilot_preflight returns it as pins.clone_location)' % ', '.join(missing))
    vt = vtpilot_binary(module)
    with Workdir() as work:
        config_path, config_text = write_config(module, work, plan='rollback', power_on=p['power_on'])
        if module.check_mode:
            rc, out, err = module.run_command([vt, 'check', config_path])
            if rc != 0:
                module.fail_json(msg='the config is not valid: %s' % err.strip(), rc=rc, stderr=err, config=config_text)
            module.exit_json(changed=True, msg='would boot the clone of: ' + ', '.join(l['name'] for l in p['lpars']),
                             lpars=[], failed_lpars=[], config=config_text, rc=0, stderr='')
        rc, out, err = module.run_command([vt, 'run', '--config', config_path, '--events', 'json', '--quiet'])
    results = lpar_results(json_lines(out), [l['name'] for l in p['lpars']])
    for r in results:
        r['changed'] = r['exit'] == 0  # a rollback changes the running system: it booted the clone
    failed = [r['name'] for r in results if r['exit'] != 0]
    res = dict(changed=any(r['changed'] for r in results), lpars=results, failed_lpars=failed, config=config_text,
               rc=rc, stderr=err)
    if failed:
        module.fail_json(msg='rollback did not finish: ' + ', '.join('%s exit %s [%s]' % (r['name'], r['exit'], r['code'])
                                                                     for r in results if r['exit'] != 0), **res)
    module.exit_json(msg='booted the clone of: ' + ', '.join(r['name'] for r in results), **res)


if __name__ == '__main__':
    main()
