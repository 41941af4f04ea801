# -*- coding: utf-8 -*-
# Copyright: vtpilot contributors
# Apache License 2.0 (see LICENSE at the root of the vtpilot repository)
"""What the vtpilot modules share: the options, the TOML config they write, running the
installed vtpilot binary, and reading its JSON into per-LPAR results.

The modules wrap vtpilot; they never drive a console themselves. Secrets (the HMC password,
the root password) go to vtpilot only through private files (mode 0600) in a private temporary
folder that is removed afterwards: never argv, never the environment, never the config.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor

# vtpilot's exit codes (README: Exit codes), and what each means to a playbook.
EXIT_MEANING = {
    0: 'done',
    2: 'bad usage or config',
    3: 'refused by the guard (halted, nothing sent)',
    4: 'halted on an unknown screen or timeout',
    5: 'transport failure (connect, auth, host key, vterm busy, console lost)',
    7: 'a verify / preflight check failed',
    130: 'stopped by SIGINT',
    143: 'stopped by SIGTERM',
    129: 'stopped by SIGHUP',
}

_TARGET_SPEC = dict(
    disk=dict(type='str'),
    pvid=dict(type='str'),
    location=dict(type='str'),
    size_mb=dict(type='int'),
)
_CLONE_SPEC = dict(
    pvid=dict(type='str'),
    location=dict(type='str'),
)
_LPAR_SPEC = dict(
    name=dict(type='str', required=True),
    profile=dict(type='str'),
    vtd=dict(type='str'),
    media=dict(type='list', elements='str'),
    target=dict(type='dict', options=_TARGET_SPEC),
    clone=dict(type='dict', options=_CLONE_SPEC),
)


def common_argument_spec():
    """The options of the doc fragment vtpilot.power.vtpilot."""
    return dict(
        hmc_host=dict(type='str', required=True),
        hmc_port=dict(type='int'),
        hmc_auth=dict(type='dict', required=True, no_log=False, options=dict(
            username=dict(type='str', required=True),
            password=dict(type='str', no_log=True),
            identity_file=dict(type='path'),
        )),
        known_hosts=dict(type='path'),
        ssh_config=dict(type='path'),
        connect_timeout_s=dict(type='float'),
        reconnect_attempts=dict(type='int'),
        max_concurrent=dict(type='int', default=4),
        managed_system=dict(type='str', required=True),
        lpars=dict(type='list', elements='dict', required=True, options=_LPAR_SPEC),
        profile=dict(type='str', default='default_profile'),
        vios=dict(type='str'),
        vtd=dict(type='str', default='vtopt0'),
        media=dict(type='list', elements='str'),
        media_pattern=dict(type='str'),
        media_location=dict(type='str'),
        pacing_ms=dict(type='float'),
        timeout_s=dict(type='float'),
        confirm_timeout_s=dict(type='float'),
        transcripts=dict(type='path'),
        take_over=dict(type='bool', default=False),
        reclaim_own_vterm=dict(type='bool', default=True),
        vtpilot_path=dict(type='path', default='vtpilot'),
    )


def root_login_argument_spec():
    """The options of the doc fragment vtpilot.power.vtpilot.ROOT_LOGIN."""
    return dict(
        root_user=dict(type='str', default='root'),
        root_password=dict(type='str', no_log=True),
        expect_level=dict(type='str', default='7200-05'),
    )


def toml_str(value):
    """A TOML basic string."""
    out = ['"']
    for ch in str(value):
        if ch in '"\\':
            out.append('\\' + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append('\\u%04x' % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return ''.join(out)


def _toml_value(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return '[' + ', '.join(_toml_value(v) for v in value) + ']'
    if isinstance(value, dict):
        return '{ ' + ', '.join('%s = %s' % (k, _toml_value(v)) for k, v in value.items()) + ' }'
    return toml_str(value)


def _pairs(table):
    return ['%s = %s' % (k, _toml_value(v)) for k, v in table.items() if v is not None]


def build_config(params, password_file=None, plan=None, power_on=None, resume=None, expect_level=None):
    """The TOML config of `vtpilot run --config` for these module params.

    password_file: the private file holding the HMC password (never the password itself).
    plan / power_on / resume / expect_level: what the module sets for every LPAR.
    """
    auth = params.get('hmc_auth') or {}
    hmc = dict(
        host=params['hmc_host'],
        port=params.get('hmc_port'),
        user=auth.get('username'),
        identity=auth.get('identity_file'),
        password_file=password_file,
        known_hosts=params.get('known_hosts'),
        ssh_config=params.get('ssh_config'),
        connect_timeout_s=params.get('connect_timeout_s'),
        reconnect_attempts=params.get('reconnect_attempts'),
        max_concurrent=params.get('max_concurrent'),
    )
    defaults = dict(
        managed_system=params['managed_system'],
        profile=params.get('profile'),
        vios=params.get('vios'),
        vtd=params.get('vtd'),
        media=params.get('media'),
        media_pattern=params.get('media_pattern'),
        media_location=params.get('media_location'),
        pacing_ms=params.get('pacing_ms'),
        timeout_s=params.get('timeout_s'),
        confirm_timeout_s=params.get('confirm_timeout_s'),
        transcripts=params.get('transcripts'),
        take_over=params.get('take_over'),
        reclaim_own_vterm=params.get('reclaim_own_vterm'),
        plan=plan,
        power_on=power_on,
        resume=resume,
        expect_level=expect_level,
    )
    lines = ['# written by the vtpilot.power collection', '[hmc]'] + _pairs(hmc)
    lines += ['', '[defaults]'] + _pairs(defaults)
    for lpar in params['lpars']:
        one = dict(name=lpar['name'], profile=lpar.get('profile'), vtd=lpar.get('vtd'), media=lpar.get('media'))
        for which in ('target', 'clone'):
            sub = dict((k, v) for k, v in (lpar.get(which) or {}).items() if v is not None)
            if sub:
                one[which] = sub
        lines += ['', '[[lpar]]'] + _pairs(one)
    return '\n'.join(lines) + '\n'


class Workdir(object):
    """A private temporary folder (mode 0700) for the config and the secret files; removed on exit."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix='vtpilot-ansible-')
        os.chmod(self.path, 0o700)

    def write(self, name, text, mode=0o600):
        path = os.path.join(self.path, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, 'w') as f:
            f.write(text)
        return path

    def secret(self, name, value):
        """A password file vtpilot reads (it refuses one others can read): mode 0600."""
        return self.write(name, value + '\n', 0o600)

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()
        return False


def vtpilot_binary(module):
    path = module.params.get('vtpilot_path') or 'vtpilot'
    if os.sep in path:
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            module.fail_json(msg='vtpilot_path %s is not an executable file' % path)
        return path
    found = module.get_bin_path(path)
    if not found:
        module.fail_json(msg='vtpilot (%s) is not in PATH on the controller: install it (cmake --install build) '
                             'or set vtpilot_path' % path)
    return found


def write_config(module, work, plan=None, power_on=None, resume=None, expect_level=None):
    """The config file in work, with the HMC password (if any) in a 0600 file beside it."""
    auth = module.params.get('hmc_auth') or {}
    password_file = work.secret('hmc.pass', auth['password']) if auth.get('password') else None
    text = build_config(module.params, password_file=password_file, plan=plan, power_on=power_on, resume=resume,
                        expect_level=expect_level)
    return work.write('vtpilot.toml', text), text


def json_lines(text):
    """The JSON objects of vtpilot's stdout, one per line; other lines are skipped."""
    out = []
    for line in (text or '').splitlines():
        line = line.strip()
        if not line.startswith('{'):
            continue
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def _blank_result(name):
    return dict(
        name=name, outcome=None, exit=None, meaning=None, changed=False, install_seen=False,
        resumed=False, code=None, reason=None, refusal=None, last_screen=[], transcript=None,
        oslevel_before=None, oslevel_after=None, checks=[], seconds=None, events=0, hmc_level=None,
    )


INSTALL_SCREENS = ('bos.progress', 'bos.media_swap')
OSLEVEL = re.compile(r'\b\d{4}-\d{2}-\d{2}-\d{4}\b')


def lpar_results(events, names, oslevel_before=None):
    """Per-LPAR results from the `--events json` lines of `vtpilot run --config`.

    names: the LPARs in config order (events of a run with one LPAR carry no `lpar` field but
    the `hmc` and `summary` ones). oslevel_before: {name: level} read before the run, if any.
    An LPAR's `changed` is True only when this run saw its install (its progress, the media
    swap, or BOS's install screens): a run that found it already installed, or refused it before
    anything was installed, changed nothing on disk.
    """
    results = dict((n, _blank_result(n)) for n in names)
    last = names[0] if len(names) == 1 else None  # the LPAR a verify report that follows a summary belongs to
    for ev in events:
        kind = ev.get('event')
        name = ev.get('lpar') or (names[0] if len(names) == 1 else None)
        if kind is None and ev.get('command') in ('verify', 'preflight'):
            name = last
        if name not in results:
            continue
        r = results[name]
        r['events'] += 1
        if kind in ('progress',) or (kind == 'screen' and ev.get('screen') in INSTALL_SCREENS):
            r['install_seen'] = True
        elif kind == 'note' and ev.get('code') == 'attached-install':
            r['resumed'] = True
            r['install_seen'] = True
        elif kind == 'hmc' and 'attaching as it is (resume)' in (ev.get('text') or ''):
            r['resumed'] = True
        elif kind == 'hmc' and (ev.get('text') or '').startswith('RMC '):
            # "RMC active, os_version AIX 7.2 7200-05-11-2546 (AIX is up)": the level the HMC
            # heard last, before this run touched anything.
            m = OSLEVEL.search(ev['text'])
            if m and not r['hmc_level']:
                r['hmc_level'] = m.group(0)
        elif kind == 'refuse':
            r['refusal'] = dict(code=ev.get('code'), reason=ev.get('text'), screen=ev.get('screen'), keys=ev.get('keys'))
        elif kind == 'summary':
            last = name
            r['outcome'] = ev.get('outcome')
            r['exit'] = ev.get('exit')
            r['meaning'] = EXIT_MEANING.get(ev.get('exit'), 'exit %s' % ev.get('exit'))
            r['code'] = ev.get('code')
            r['reason'] = ev.get('text')
            r['last_screen'] = ev.get('last_screen') or []
            r['transcript'] = ev.get('transcript')
            r['seconds'] = ev.get('seconds')
        elif kind is None and ev.get('command') == 'verify':
            r['oslevel_after'] = ev.get('level') or None
            r['checks'] = ev.get('checks') or []
            r['verify_ok'] = bool(ev.get('ok'))
            if not ev.get('ok'):
                r['exit'] = ev.get('exit', 7)
                r['meaning'] = EXIT_MEANING.get(r['exit'])
                r['reason'] = ev.get('reason') or r['reason']
                r['code'] = r['code'] or 'verify-failed'
    for n in names:
        r = results[n]
        r['changed'] = bool(r['install_seen'])
        hmc_level = r.pop('hmc_level')
        if oslevel_before and oslevel_before.get(n):
            r['oslevel_before'] = oslevel_before[n]
        elif hmc_level:
            r['oslevel_before'] = hmc_level
        if r['code'] == 'already-at-target' and not r['oslevel_after']:
            r['oslevel_after'] = hmc_level
        if r['refusal'] is None and r['exit'] == 3 and r['code']:
            r['refusal'] = dict(code=r['code'], reason=r['reason'], screen=None, keys=None)
        if r['exit'] is None:
            r['exit'] = -1
            r['outcome'] = 'no result'
            r['reason'] = 'vtpilot printed no summary for this LPAR (it ended early: see stderr)'
    return [results[n] for n in names]


def summarize(results):
    """The task's changed / failed and a one-line message from per-LPAR results."""
    changed = any(r['changed'] for r in results)
    failed = [r for r in results if r['exit'] != 0]
    parts = []
    for r in results:
        if r['exit'] == 0:
            if r['changed']:
                parts.append('%s migrated' % r['name'])
            elif r.get('code') == 'already-at-target':
                parts.append('%s ok (already at %s, as the HMC reports)' % (r['name'], r['oslevel_after']))
            else:
                parts.append('%s ok (nothing installed by this run)' % r['name'])
        else:
            parts.append('%s %s exit %s%s' % (r['name'], r['outcome'], r['exit'],
                                              ' [%s]' % r['code'] if r.get('code') else ''))
    return changed, failed, '; '.join(parts)


def report_of(stdout, command):
    """The one report object `vtpilot verify|preflight --json` prints, or None."""
    for obj in json_lines(stdout):
        if obj.get('command') == command:
            return obj
    return None


def summary_of(stdout):
    for obj in json_lines(stdout):
        if obj.get('event') == 'summary':
            return obj
    return None


def shell_checks(module, vt, work, config_path, command):
    """`shell_check` on every LPAR of the task, at most `max_concurrent` at once (as run does),
    results in task order. Each is its own vtpilot process, ssh connection and vterm."""
    names = [l['name'] for l in module.params['lpars']]
    at_once = max(1, min(int(module.params.get('max_concurrent') or 4), len(names) or 1))
    if at_once == 1:
        return [shell_check(module, vt, work, config_path, command, n) for n in names]
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        return list(pool.map(lambda n: shell_check(module, vt, work, config_path, command, n), names))


def shell_check(module, vt, work, config_path, command, name, extra=None):
    """`vtpilot verify|preflight` on one LPAR of the config: its report as a result dict.

    The root password goes in a private file; the report object (`--json`) gives the level,
    the checks, the pins and the reason; a conversation that never reached a verdict gives
    vtpilot's summary (outcome, code, last screen) instead.
    """
    p = module.params
    cmd = [vt, command, '--config', config_path, '--lpar', name, '--user', p['root_user'],
           '--expect-level', p['expect_level'], '--events', 'json', '--quiet']
    if p.get('root_password'):
        cmd += ['--password-file', work.secret('root-%s-%s.pass' % (command, name), p['root_password'])]
    cmd += extra or []
    rc, out, err = module.run_command(cmd)
    rep = report_of(out, command)
    summ = summary_of(out) or {}
    r = dict(name=name, exit=rc, meaning=EXIT_MEANING.get(rc, 'exit %s' % rc), ok=rc == 0,
             level=None, checks=[], pins={}, plan=[], reason=None, code=summ.get('code'),
             outcome=summ.get('outcome'), last_screen=summ.get('last_screen') or [],
             transcript=summ.get('transcript'), stderr=err)
    if rep:
        r.update(level=rep.get('level') or None, checks=rep.get('checks') or [], pins=rep.get('pins') or {},
                 plan=rep.get('plan') or [], reason=rep.get('reason'))
    if rc != 0 and not r['reason']:
        r['reason'] = summ.get('text') or (err.strip().splitlines() or [''])[-1]
    return r
