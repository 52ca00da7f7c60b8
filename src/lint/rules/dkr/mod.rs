//! Rules about the image: its base (end of life, an externally managed Python) and what its
//! RUN instructions install.

pub mod eol_base_image;
pub mod pip_install_outside_venv;
