#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vtpilot contributors
# Apache License 2.0 (see LICENSE at the root of the vtpilot repository)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: vtpilot_check
short_description: Validate a vtpilot config (the one the other modules would write, or a file)
version_added: 0.1.0
description:
  - Runs C(vtpilot check) on a config, either the file I(src), or the config the other modules of
    this collection would write from the same options (I(hmc_host), I(lpars) ...).
  - Every problem is returned with its file, line and message; nothing reaches the HMC.
author:
  - vtpilot contributors (@vtpilot)
extends_documentation_fragment:
  - vtpilot.power.vtpilot
options:
  src:
    description:
      - A vtpilot config file (TOML) on the controller to check. Excludes I(hmc_host).
    type: path
  hmc_host:
    description:
      - The HMC, when the config is built from the options. Excludes I(src).
    required: false
  hmc_auth:
    description:
      - As for the other modules; needed with I(hmc_host).
    required: false
  managed_system:
    description:
      - As for the other modules; needed with I(hmc_host).
    required: false
  lpars:
    description:
      - As for the other modules; needed with I(hmc_host).
    required: false
notes:
  - Supports check mode; it never reports C(changed).
'''

EXAMPLES = r'''
- name: Check the config the migration will use
  vtpilot.power.vtpilot_check:
    hmc_host: "{{ inventory_hostname }}"
    hmc_auth: {username: hscroot}
    managed_system: Server-8247-42L-SN21271DA
    media: [aix72_tl5_vol1.iso, aix72_tl5_vol2.iso]
    vios: vios1
    lpars: [{name: lpar01}]

- name: Check a config file kept in the repository
  vtpilot.power.vtpilot_check:
    src: files/hmc01.toml
'''

RETURN = r'''
valid:
  description: vtpilot check accepted the config.
  returned: always
  type: bool
errors:
  description: Each problem, with C(file), C(line) (0 when it has none) and C(message).
  returned: always
  type: list
  elements: dict
  sample: [{"file": "hmc01.toml", "line": 4, "message": "unknown key `medias` in [defaults] (known: ...)"}]
config:
  description: The config checked (built from the options, or read from I(src)); it never holds a password.
  returned: always
  type: str
rc:
  description: vtpilot check's exit code (0 valid, 2 not).
  returned: always
  type: int
'''

import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.vtpilot.power.plugins.module_utils.vtpilot import (
    Workdir, common_argument_spec, vtpilot_binary, write_config,
)

_ERROR = re.compile(r'^(?P<file>.+?):(?P<line>\d+): (?P<message>.*)$')


def parse_errors(text):
    """vtpilot check's `file:line: message` lines (and any other line as a message of its own)."""
    errors = []
    for line in (text or '').splitlines():
        line = line.rstrip()
        if not line:
            continue
        m = _ERROR.match(line)
        if m:
            errors.append(dict(file=m.group('file'), line=int(m.group('line')), message=m.group('message')))
        else:
            errors.append(dict(file=None, line=0, message=line))
    return errors


def main():
    spec = common_argument_spec()
    for k in ('hmc_host', 'hmc_auth', 'managed_system', 'lpars'):
        spec[k]['required'] = False
    spec['src'] = dict(type='path')
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True,
                           mutually_exclusive=[('src', 'hmc_host')],
                           required_one_of=[('src', 'hmc_host')],
                           required_by=dict(hmc_host=('hmc_auth', 'managed_system', 'lpars')))
    vt = vtpilot_binary(module)
    with Workdir() as work:
        if module.params['src']:
            path = module.params['src']
            try:
                with open(path) as f:
                    text = f.read()
            except (IOError, OSError) as e:
                module.fail_json(msg='%s: %s' % (path, e), valid=False, errors=[dict(file=path, line=0, message=str(e))],
                                 config='', rc=2)
        else:
            path, text = write_config(module, work)
        rc, out, err = module.run_command([vt, 'check', path])
    errors = parse_errors(err) if rc != 0 else []
    if module.params['src'] is None:  # name the file as the task knows it, not the temporary path
        for e in errors:
            if e['file'] == path:
                e['file'] = 'config'
    result = dict(changed=False, valid=rc == 0, errors=errors, config=text, rc=rc)
    if rc != 0:
        module.fail_json(msg='the config is not valid: %s' % '; '.join(
            '%s:%s: %s' % (e['file'], e['line'], e['message']) if e['file'] else e['message'] for e in errors), **result)
    module.exit_json(msg='the config is valid', **result)


if __name__ == '__main__':
    main()
