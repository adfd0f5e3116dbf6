"""The gallery's one figure kit: style (palette, fast figures) and curves; subjects add their own builders."""
