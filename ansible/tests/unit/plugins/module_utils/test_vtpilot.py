# -*- coding: utf-8 -*-
# The result mapping: vtpilot's --events json lines -> per-LPAR results, changed / failed.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat

from ansible_collections.vtpilot.power.plugins.module_utils import vtpilot as vt

HERE = os.path.dirname(__file__)


def fixture_events(name):
    with open(os.path.join(HERE, 'fixtures', name)) as f:
        return vt.json_lines(f.read())


def params(**kw):
    p = dict(hmc_host='hmc01.example.com', hmc_port=None,
             hmc_auth=dict(username='hscroot', password='s3cr"et', identity_file=None),
             known_hosts=None, ssh_config=None, connect_timeout_s=None, reconnect_attempts=None, max_concurrent=4,
             managed_system='Server-8247-42L-SN21271DA', profile='default_profile', vios='vios1', vtd='vtopt0',
             media=['aix72_vol1.iso', 'aix72_vol2.iso'], media_pattern=None, media_location=None, pacing_ms=None,
             timeout_s=None, confirm_timeout_s=None, transcripts='/var/log/vtpilot', take_over=False,
             reclaim_own_vterm=True,
             lpars=[dict(name='lpar01', profile=None, vtd=None, media=None,
                         target=dict(disk='hdisk0', pvid='00f6db0a2c1d4e5f', location=None, size_mb=None),
                         clone=dict(pvid='00f6db0a3e7a9b01', location=None)),
                    dict(name='lpar02', profile=None, vtd='vtopt1', media=None, target=None, clone=None)])
    p.update(kw)
    return p


def test_two_lpars_one_changed_one_refused():
    results = vt.lpar_results(fixture_events('two_lpars_one_refused.jsonl'), ['lpar01', 'lpar02'])
    one, two = results
    assert one['name'] == 'lpar01' and one['exit'] == 0 and one['outcome'] == 'done'
    assert one['changed'] is True and one['install_seen'] is True
    assert one['refusal'] is None and one['code'] is None
    assert one['transcript'].startswith('/var/log/vtpilot/lpar01-')
    assert two['name'] == 'lpar02' and two['exit'] == 3 and two['outcome'] == 'REFUSED'
    assert two['changed'] is False
    assert two['code'] == 'altinst-disk'
    assert two['refusal']['code'] == 'altinst-disk' and two['refusal']['screen'] == 'bos.disks'
    assert two['refusal']['keys'] == '1<Enter>'
    assert 'altinst_rootvg' in two['refusal']['reason']
    assert any('Change Disk(s) Where You Want to Install' in row for row in two['last_screen'])
    changed, failed, msg = vt.summarize(results)
    assert changed is True
    assert [r['name'] for r in failed] == ['lpar02']
    assert 'lpar01 migrated' in msg and 'lpar02 REFUSED exit 3 [altinst-disk]' in msg


def test_events_of_one_lpar_without_lpar_field_are_its_own():
    events = [
        {'t': 0.1, 'event': 'screen', 'screen': 'bos.progress'},
        {'t': 0.2, 'event': 'progress', 'screen': 'bos.progress', 'percent': 40, 'elapsed_min': 3},
        {'t': 0.3, 'event': 'note', 'code': 'attached-install', 'text': 'attached to an install already under way'},
        {'event': 'summary', 'outcome': 'done', 'exit': 0, 'seconds': 9.5, 'child_status': -1,
         'lpar': 'lpar01', 'transcript': '/x/lpar01.cast'},
    ]
    (r,) = vt.lpar_results(events, ['lpar01'])
    assert r['changed'] and r['resumed'] and r['exit'] == 0


def test_login_prompt_run_with_verify_is_unchanged_and_reads_the_level():
    # run --verify at a login prompt: the session notes the install was not seen, verify reads the level.
    events = [
        {'t': 0.1, 'event': 'hmc', 'lpar': 'lpar01', 'text': 'lpar01 is Running: attaching as it is (resume); nothing is powered on or off'},
        {'t': 0.5, 'event': 'note', 'screen': 'aix.login', 'code': 'install-not-seen', 'text': '...'},
        {'event': 'summary', 'outcome': 'done', 'exit': 0, 'seconds': 3, 'child_status': -1, 'lpar': 'lpar01',
         'transcript': '/x.cast'},
        {'command': 'verify', 'ok': True, 'exit': 0, 'level': '7200-05-11-2546', 'checks': [{'id': 'oslevel', 'status': 'pass'}]},
    ]
    (r,) = vt.lpar_results(events, ['lpar01'], oslevel_before={'lpar01': '7200-05-11-2546'})
    assert r['changed'] is False and r['resumed'] is True
    assert r['oslevel_after'] == '7200-05-11-2546' and r['oslevel_before'] == '7200-05-11-2546'
    assert r['exit'] == 0 and r['checks'][0]['id'] == 'oslevel'


def test_resume_already_at_target_is_ok_unchanged_with_the_hmc_level():
    (r,) = vt.lpar_results(fixture_events('resume_already_at_target.jsonl'), ['lpar01'])
    assert r['exit'] == 0 and r['outcome'] == 'done' and r['code'] == 'already-at-target'
    assert r['changed'] is False and r['resumed'] is True
    assert r['oslevel_before'] == '7200-05-11-2546' and r['oslevel_after'] == '7200-05-11-2546'
    assert 'hmc_level' not in r
    changed, failed, msg = vt.summarize([r])
    assert changed is False and not failed
    assert msg == 'lpar01 ok (already at 7200-05-11-2546, as the HMC reports)'


def test_the_level_the_hmc_heard_last_is_the_level_before():
    events = [
        {'event': 'hmc', 'lpar': 'lpar01',
         'text': 'RMC inactive, os_version AIX 7.1 7100-05-06-2016 (the last level the HMC heard; AIX is not up)'},
        {'event': 'summary', 'outcome': 'done', 'exit': 0, 'seconds': 9, 'child_status': -1, 'lpar': 'lpar01',
         'transcript': '/x.cast'},
    ]
    (r,) = vt.lpar_results(events, ['lpar01'])
    assert r['oslevel_before'] == '7100-05-06-2016' and r['oslevel_after'] is None


def test_failed_verify_fails_the_lpar_with_its_checks():
    events = [
        {'event': 'summary', 'outcome': 'done', 'exit': 0, 'seconds': 3, 'child_status': -1, 'lpar': 'lpar01'},
        {'command': 'verify', 'ok': False, 'exit': 7, 'level': '7100-05-06-2028', 'reason': 'oslevel: 7100-05-06-2028',
         'checks': [{'id': 'oslevel', 'status': 'fail', 'detail': 'not 7200-05'}]},
    ]
    (r,) = vt.lpar_results(events, ['lpar01'])
    assert r['exit'] == 7 and r['code'] == 'verify-failed' and r['reason'].startswith('oslevel')
    assert r['oslevel_after'] == '7100-05-06-2028'
    assert vt.summarize([r])[1] == [r]


def test_an_lpar_with_no_summary_is_a_failure_not_a_success():
    events = [{'event': 'summary', 'outcome': 'done', 'exit': 0, 'seconds': 1, 'child_status': -1, 'lpar': 'lpar01'}]
    one, two = vt.lpar_results(events, ['lpar01', 'lpar02'])
    assert one['exit'] == 0
    assert two['exit'] == -1 and two['outcome'] == 'no result'
    assert [r['name'] for r in vt.summarize([one, two])[1]] == ['lpar02']


def test_json_lines_skips_other_lines():
    assert vt.json_lines('noise\n{"event":"x"}\n{broken\n  {"a": 1}\n') == [{'event': 'x'}, {'a': 1}]


def test_config_never_holds_the_password():
    text = vt.build_config(params(), password_file='/tmp/x/hmc.pass', plan='migrate', power_on=True, resume=True)
    assert 's3cr' not in text
    assert 'password_file = "/tmp/x/hmc.pass"' in text
    assert 'max_concurrent = 4' in text and 'resume = true' in text and 'power_on = true' in text
    assert '[[lpar]]\nname = "lpar01"\ntarget = { disk = "hdisk0", pvid = "00f6db0a2c1d4e5f" }' in text
    assert 'clone = { pvid = "00f6db0a3e7a9b01" }' in text
    assert '[[lpar]]\nname = "lpar02"\nvtd = "vtopt1"' in text
    assert 'media = ["aix72_vol1.iso", "aix72_vol2.iso"]' in text
    assert 'hmc_host' not in text and 'None' not in text


def test_toml_strings_are_escaped():
    assert vt.toml_str('a"b\\c\n') == '"a\\"b\\\\c\\u000a"'


def test_secret_file_is_private(tmp_path):
    with vt.Workdir() as w:
        path = w.secret('hmc.pass', 'pw')
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(w.path).st_mode) == 0o700
        with open(path) as f:
            assert f.read() == 'pw\n'
    assert not os.path.exists(w.path)


def test_every_exit_code_has_a_meaning():
    for code in (0, 2, 3, 4, 5, 7):
        assert code in vt.EXIT_MEANING
    assert json.dumps(vt.EXIT_MEANING)


class _FakeModule(object):
    """run_command of a fake vtpilot preflight: each call takes a while and reports its LPAR."""

    def __init__(self, names, max_concurrent):
        import threading
        self.params = dict(lpars=[dict(name=n) for n in names], max_concurrent=max_concurrent, root_user='root',
                           expect_level='7200-05', root_password=None)
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0

    def run_command(self, cmd):
        import time
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.05)
        with self.lock:
            self.running -= 1
        name = cmd[cmd.index('--lpar') + 1]
        report = dict(command='preflight', level='7100-05-06-2016', checks=[], pins={}, lpar=name)
        return 0, json.dumps(report) + '\n', ''


def test_shell_checks_run_max_concurrent_at_once_and_keep_task_order():
    names = ['lpar%02d' % i for i in range(1, 7)]
    m = _FakeModule(names, 3)
    results = vt.shell_checks(m, 'vtpilot', None, '/c.toml', 'preflight')
    assert [r['name'] for r in results] == names
    assert all(r['level'] == '7100-05-06-2016' and r['exit'] == 0 for r in results)
    assert m.most == 3
    one = _FakeModule(names[:3], 1)
    vt.shell_checks(one, 'vtpilot', None, '/c.toml', 'preflight')
    assert one.most == 1
