#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vtpilot contributors
# Apache License 2.0 (see LICENSE at the root of the vtpilot repository)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: vtpilot_migrate
short_description: Migrate AIX LPARs behind one HMC from boot media, over their consoles
version_added: 0.1.0
description:
  - Runs C(vtpilot run --config) for the LPARs behind one HMC, in one vtpilot process, at most
    I(max_concurrent) at a time; each LPAR gets its own ssh connection, guard, plan state and
    transcript. vtpilot drives SMS and the BOS installer through a Migration Install and refuses
    every key that could choose New and Complete Overwrite, Preservation, Start Install Now with
    Default Settings, or the altinst_rootvg clone.
  - The HMC is the inventory host, as in C(ibm.power_hmc); run the task with C(connection=local)
    on the controller, where vtpilot is installed.
  - A re-run resumes rather than repeats (I(resume)); an LPAR that was refused or halted fails the
    task with its refusal code, the reason and the last screen as fields, while the others go on.
  - An install takes 1 to 2 hours; use C(async) with C(poll=0) and C(async_status) (see EXAMPLES).
author:
  - vtpilot contributors (@vtpilot)
extends_documentation_fragment:
  - vtpilot.power.vtpilot
  - vtpilot.power.vtpilot.ROOT_LOGIN
options:
  power_on:
    description:
      - Activate an LPAR that is Not Activated into SMS (volume 1 of I(media) loaded first);
        the config's C(power_on).
    type: bool
    default: true
  resume:
    description:
      - An LPAR already Running is attached as it is, never powered off or on (the config's
        C(resume)). First come the HMC's RMC facts, from C(lssyscfg -F rmc_state,os_version). An AIX the
        HMC reports up at I(expect_level) is C(ok), unchanged, with nothing sent
        (code C(already-at-target)); up at another level, the task fails at once
        (code C(running-aix)), nothing sent. Otherwise what its console shows decides. An install
        under way is watched to its end without a key; a login prompt is not taken for a
        migration this run did not see (with I(verify) its C(oslevel) decides). A console that
        shows nothing (a vterm shows only what is drawn while it is open) gets no Enter, as it may
        hide a BOS menu whose default Enter chooses; the task fails after I(timeout_s).
      - With C(false) a Running LPAR fails the task (exit 2), as C(vtpilot run --power-on) does.
    type: bool
    default: true
  verify:
    description:
      - After C(Console login:), log in and run the runbook's acceptance checks
        (C(vtpilot run --verify)); needs I(root_password). The C(oslevel -s) read there is
        I(oslevel_after), and it decides an LPAR found at its login prompt; at I(expect_level) it
        is C(ok), unchanged.
    type: bool
    default: false
notes:
  - Check mode runs C(vtpilot check) on the config, and with I(root_password) C(vtpilot preflight)
    on each LPAR (which must be running AIX), and says what would happen; nothing is powered on.
  - Diff mode shows each LPAR's level before and after (C(oslevel -s)), where they were read.
  - Secrets (I(hmc_auth.password), I(root_password)) reach vtpilot only as private files.
requirements:
  - vtpilot on the controller (C(cmake --install build)), which reaches the HMC over ssh.
seealso:
  - module: vtpilot.power.vtpilot_preflight
  - module: vtpilot.power.vtpilot_verify
  - module: vtpilot.power.vtpilot_rollback
  - module: vtpilot.power.vtpilot_check
'''

EXAMPLES = r'''
- name: Migrate two LPARs behind hmc01 (an install takes 1-2 h)
  hosts: hmc01
  connection: local
  gather_facts: false
  tasks:
    - name: Start the migration
      vtpilot.power.vtpilot_migrate:
        hmc_host: "{{ inventory_hostname }}"
        hmc_auth:
          username: hscroot
          password: "{{ hmc_password }}"
        known_hosts: ~/.ssh/known_hosts
        managed_system: Server-8247-42L-SN21271DA
        vios: vios1
        media: [aix72_tl5_vol1.iso, aix72_tl5_vol2.iso]
        transcripts: /var/log/vtpilot
        lpars:
          - name: lpar01
            vtd: vtopt0
            target: {disk: hdisk0, pvid: 00f6db0a2c1d4e5f}
            clone: {pvid: 00f6db0a3e7a9b01}
          - name: lpar02
            vtd: vtopt1
            target: {disk: hdisk0, pvid: 00f6db0a11aa22bb}
            clone: {pvid: 00f6db0a33cc44dd}
      async: 10800
      poll: 0
      register: job

    - name: Wait for it (a controller that dies here can run the play again, it resumes)
      ansible.builtin.async_status:
        jid: "{{ job.ansible_job_id }}"
      register: migration
      until: migration.finished
      retries: 720
      delay: 15
      failed_when: false

    - name: Each LPAR's outcome
      ansible.builtin.debug:
        msg: "{{ item.name }}: {{ item.outcome }} {{ item.code | default('', true) }}"
      loop: "{{ migration.lpars }}"
'''

RETURN = r'''
lpars:
  description: One result per LPAR, in the order of I(lpars).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The LPAR.
      type: str
      sample: lpar01
    outcome:
      description: vtpilot's outcome (C(done), C(REFUSED), C(halted), C(console lost), C(could not connect), C(stopped)).
      type: str
      sample: done
    exit:
      description: vtpilot's exit code for this LPAR (0 done, 2 config, 3 refused, 4 halted, 5 transport, 7 verify failed).
      type: int
      sample: 0
    meaning:
      description: What the exit code means.
      type: str
      sample: refused by the guard (halted, nothing sent)
    changed:
      description: This run saw the LPAR's install (its progress, media swap or BOS install screens).
      type: bool
    install_seen:
      description: The same as I(changed).
      type: bool
    resumed:
      description: The LPAR was found Running and attached as it was (a re-run), or attached mid-install.
      type: bool
    code:
      description: The halt's or refusal's stable reason code (README "What vtpilot refuses"), if any.
      type: str
      sample: altinst-disk
    reason:
      description: The halt's or refusal's sentence, if any.
      type: str
    refusal:
      description: The guard's refusal, if the LPAR was refused.
      type: dict
      contains:
        code:
          description: The refusal code.
          type: str
        reason:
          description: What was refused and what to do.
          type: str
        screen:
          description: The screen id it was refused on.
          type: str
        keys:
          description: The keys that were refused (never sent).
          type: str
    last_screen:
      description: The console's last screen, one string per row (trailing blank rows left out).
      type: list
      elements: str
    transcript:
      description: The asciicast transcript of this LPAR's run (on the controller).
      type: str
    oslevel_before:
      description: C(oslevel -s) before the run, where it was read (check mode's preflight), else the
        level the HMC last heard from the LPAR's RMC (its C(os_version)).
      type: str
    oslevel_after:
      description: C(oslevel -s) after the run, with I(verify); for an LPAR already at the target
        (code C(already-at-target)) the level the HMC reports.
      type: str
    checks:
      description: The acceptance checks of I(verify) (each C(id), C(title), C(status), C(detail)).
      type: list
      elements: dict
    seconds:
      description: How long this LPAR's run took.
      type: float
    events:
      description: How many events vtpilot reported for this LPAR.
      type: int
failed_lpars:
  description: The names of the LPARs that did not finish.
  returned: always
  type: list
  elements: str
  sample: [lpar02]
would:
  description: In check mode, what would happen to each LPAR.
  returned: check mode
  type: list
  elements: dict
  sample: [{"name": "lpar01", "action": "migrate", "oslevel_before": "7100-05-06-2028"}]
config:
  description: The config vtpilot was given (it never holds a password, only the path of a private file).
  returned: always
  type: str
rc:
  description: vtpilot's exit code (that of the first LPAR, in order, that did not finish).
  returned: always
  type: int
stderr:
  description: vtpilot's messages (the human lines; the results are in I(lpars)).
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.vtpilot.power.plugins.module_utils.vtpilot import (
    Workdir, common_argument_spec, json_lines, lpar_results, root_login_argument_spec, shell_checks, summarize,
    vtpilot_binary, write_config,
)


def check_mode(module, vt, work, config_path, config_text):
    rc, out, err = module.run_command([vt, 'check', config_path])
    if rc != 0:
        module.fail_json(msg='the config is not valid: %s' % err.strip(), rc=rc, stderr=err, config=config_text,
                         lpars=[], failed_lpars=[])
    would, diffs = [], []
    p = module.params
    if not p.get('root_password'):
        for lpar in p['lpars']:
            would.append(dict(name=lpar['name'], action='migrate', oslevel_before=None,
                              note='no root_password: the level was not read; a run would migrate it unless it is '
                                   'already at the target (the run decides that from the console)'))
    else:
        # preflight on each LPAR, max_concurrent at once (as the run itself)
        for rep in shell_checks(module, vt, work, config_path, 'preflight'):
            rc, level = rep['exit'], rep['level']
            already = rc == 7 and level and level.startswith(p['expect_level'])
            entry = dict(name=rep['name'], oslevel_before=level, exit=rc, checks=rep['checks'], pins=rep['pins'],
                         reason=rep['reason'])
            entry['action'] = 'none (already at %s)' % p['expect_level'] if already else 'migrate' if rc == 0 else 'refuse'
            would.append(entry)
            diffs.append(dict(name=rep['name'], before=level, after=level if already else p['expect_level']))
    changed = any(w['action'] == 'migrate' for w in would)
    failed = [w['name'] for w in would if w['action'] == 'refuse']
    result = dict(changed=changed, would=would, lpars=[], failed_lpars=failed, config=config_text, rc=0, stderr='')
    if module._diff:
        result['diff'] = dict(before=''.join('%s: %s\n' % (d['name'], d['before']) for d in diffs),
                              after=''.join('%s: %s\n' % (d['name'], d['after']) for d in diffs))
    if failed:
        module.fail_json(msg='preflight refused: %s' % ', '.join('%s (%s)' % (w['name'], w.get('reason'))
                                                                 for w in would if w['action'] == 'refuse'), **result)
    module.exit_json(msg='would migrate: %s' % ', '.join(w['name'] for w in would if w['action'] == 'migrate'), **result)


def main():
    spec = common_argument_spec()
    spec.update(root_login_argument_spec())
    spec.update(
        power_on=dict(type='bool', default=True),
        resume=dict(type='bool', default=True),
        verify=dict(type='bool', default=False),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True,
                           required_if=[('verify', True, ('root_password',))])
    p = module.params
    vt = vtpilot_binary(module)
    names = [l['name'] for l in p['lpars']]
    with Workdir() as work:
        config_path, config_text = write_config(module, work, plan='migrate', power_on=p['power_on'], resume=p['resume'],
                                                expect_level=p['expect_level'] if p['resume'] else None)
        if module.check_mode:
            check_mode(module, vt, work, config_path, config_text)
        cmd = [vt, 'run', '--config', config_path, '--events', 'json', '--quiet']
        if p['verify']:
            cmd += ['--verify', '--password-file', work.secret('root.pass', p['root_password']),
                    '--user', p['root_user'], '--expect-level', p['expect_level']]
        rc, out, err = module.run_command(cmd)
    results = lpar_results(json_lines(out), names)
    changed, failed, msg = summarize(results)
    result = dict(changed=changed, lpars=results, failed_lpars=[r['name'] for r in failed], config=config_text,
                  rc=rc, stderr=err)
    if module._diff:
        result['diff'] = dict(before=''.join('%s: %s\n' % (r['name'], r['oslevel_before']) for r in results),
                              after=''.join('%s: %s\n' % (r['name'], r['oslevel_after']) for r in results))
    if rc == 2 and not any(r['exit'] not in (-1, None) for r in results):
        module.fail_json(msg='vtpilot refused the config or the command line: %s' % err.strip(), **result)
    if failed:
        module.fail_json(msg=msg, **result)
    module.exit_json(msg=msg, **result)


if __name__ == '__main__':
    main()
