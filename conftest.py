"""Tests and nbval speak English whatever the machine's locale.

edunet's course language follows EDUNET_LANG and then the locale, so on a machine set to
Chinese (LANG=zh_CN.UTF-8) the English notebooks' verdicts would print in Chinese and no
longer match their stored outputs. nbval's kernels inherit this environment. The Chinese
notebooks choose Chinese themselves, in their first cell.
"""

import os

os.environ["EDUNET_LANG"] = "en"
