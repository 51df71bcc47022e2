# End-to-end drills use the GUI tests' fixtures (a temp home with the bundled model, the window).
from tests.gui.conftest import (  # noqa: F401
    home_with_model,
    main_window,
    memory_keyring,
    sample_dataset_file,
)
