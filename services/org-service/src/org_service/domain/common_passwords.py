"""Passwords every attacker tries first (lower case, without the digits and symbols people dress them
in): the most frequent of the public leak lists, and the Chinese habits among them (pinyin, keyboard
walks, lucky numbers)."""

from __future__ import annotations

COMMON_PASSWORDS = frozenset(
    """
    password passw0rd p@ssw0rd p@ssword password1 password12 password123 password1234 passwordpassword
    qwerty qwertyuiop qwertyuiop12 qwerty123456 qwertyuiop123 asdfghjkl asdfghjkl123 zxcvbnm zxcvbnm123
    1qaz2wsx 1qaz2wsx3edc 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y qazwsxedc qazwsxedcrfv abc123456789
    123456789012 1234567890123 123123123123 111111111111 000000000000 123456123456 987654321098
    iloveyou iloveyou1314 woaini woaini1314 woaini520 woaini521 5201314 1314520 aini1314 wo ai ni
    admin admin123 admin123456 administrator root toor letmein welcome welcome123 changeme
    trustno1 dragon monkey football baseball superman batman sunshine princess shadow master
    michael jennifer whatever starwars computer internet security
    zhangwei wangwei wangfang liwei lina zhangmin liqiang wangjing zhangli
    pingliang pingliangshi gansu lanzhou kongtong kongtongshan zhicheng zhichengping
    zhongguo china beijing shanghai woshishui nihao nihaoma
    abcdefghijkl abcdabcdabcd aabbccddeeff
    """.split()
)
