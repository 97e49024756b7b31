"""tests/viz: the gallery notebook is opened by test_browser.py in a real browser; it is
stored without outputs, so nbval (which runs on every notebook under tests/) skips it."""

collect_ignore = ["widgets_gallery.ipynb"]
