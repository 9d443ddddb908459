//! Only here so that `aws-sdk-iot` is built; `bench/scale.sh` times that crate alone.
fn main() {
    let _ = std::any::type_name::<aws_sdk_iot::Client>();
}
