//! Rules about the image: its base and, once the Dockerfile parser lands, its instructions.

pub mod eol_base_image;
