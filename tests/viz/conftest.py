"""tests/viz: the gallery and stop-button notebooks are opened by test_browser.py in a real
browser; they are stored without outputs, so nbval (which runs on every notebook under
tests/) skips them."""

collect_ignore = ["widgets_gallery.ipynb", "stop_button.ipynb"]
