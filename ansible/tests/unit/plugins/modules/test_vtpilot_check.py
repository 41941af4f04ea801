# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.vtpilot.power.plugins.modules.vtpilot_check import parse_errors


def test_check_errors_keep_file_and_line():
    errors = parse_errors('c.toml:4: unknown key `medias` in [defaults] (known: name, ...)\nsomething else\n')
    assert errors[0] == dict(file='c.toml', line=4, message='unknown key `medias` in [defaults] (known: name, ...)')
    assert errors[1] == dict(file=None, line=0, message='something else')
