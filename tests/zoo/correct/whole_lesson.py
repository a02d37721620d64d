# Day 2 - every code block of the lesson, in the lesson's order, then the exercise.
# What a diligent student hands in: it must get full marks on every exercise it touches.
import numpy as np
import keras
from keras import layers

print(keras.__version__)          # 3.x — Keras 3, multi-backend
print(keras.backend.backend())    # "tensorflow"

dense = layers.Dense(units=256, activation="relu")
print(dense.weights)              # [] — nothing here yet!

x = np.random.rand(32, 784).astype("float32")   # a fake batch: 32 flattened 28×28 images
y = dense(x)                                     # first call → build happens HERE

print(y.shape)                                   # (32, 256)
for w in dense.weights:
    print(w.path, w.shape, w.dtype)


# Way 1: Sequential
def make_sequential():
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(256, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ],
        name="mlp_sequential",
    )


seq_model = make_sequential()
seq_model.summary()

seq_model.pop()                                   # remove the softmax head
seq_model.add(layers.Dense(10, activation="softmax"))  # put a fresh one back
print(len(seq_model.layers))                      # 3

# Way 2: Functional
inputs = keras.Input(shape=(784,), name="pixels")   # symbolic: shape (None, 784), no data inside
h = layers.Dense(256, activation="relu")(inputs)    # layer called on a symbolic tensor
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)

fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")

img_in  = keras.Input(shape=(784,), name="pixels")
meta_in = keras.Input(shape=(8,),   name="metadata")

# Branch 1: the image trunk (our familiar MLP body)
x = layers.Dense(256, activation="relu")(img_in)
x = layers.Dense(64, activation="relu")(x)

# Branch 2: a small tower for the metadata
m = layers.Dense(16, activation="relu")(meta_in)

# Merge the branches, then fan out into two heads
merged    = layers.concatenate([x, m])                              # (None, 64 + 16) = (None, 80)
digit_out = layers.Dense(10, activation="softmax", name="digit")(merged)
hard_out  = layers.Dense(1,  activation="sigmoid", name="is_hard")(merged)

two_headed = keras.Model(
    inputs=[img_in, meta_in],
    outputs=[digit_out, hard_out],
    name="two_headed_mlp",
)

two_headed.compile(
    optimizer="adam",
    loss={
        "digit":   "sparse_categorical_crossentropy",
        "is_hard": "binary_crossentropy",
    },
    loss_weights={"digit": 1.0, "is_hard": 0.3},
    metrics={"digit": ["accuracy"]},
)

# Smoke-test with fake data — shapes are the contract:
n = 128
fake = {
    "pixels":   np.random.rand(n, 784).astype("float32"),
    "metadata": np.random.rand(n, 8).astype("float32"),
}
fake_y = {
    "digit":   np.random.randint(0, 10, size=(n,)),
    "is_hard": np.random.randint(0, 2,  size=(n, 1)).astype("float32"),
}
two_headed.fit(fake, fake_y, epochs=1, batch_size=32, verbose=1)

shared = layers.Dense(64, activation="relu")
a = shared(keras.Input(shape=(784,), name="left"))
b = shared(keras.Input(shape=(784,), name="right"))   # same 784×64 kernel, reused
print(len(shared.weights))   # 2 — one kernel, one bias, no matter how many calls


# Way 3: Subclassing
class MLP(keras.Model):
    def __init__(self, hidden_units=(256, 64), num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [layers.Dense(u, activation="relu") for u in hidden_units]
        self.head = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=False):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)


sub_model = MLP(name="mlp_subclassed")

try:
    sub_model.summary()
except ValueError as e:
    print("💥", e)

sub_model(np.zeros((1, 784), dtype="float32"))   # one dummy forward pass builds everything
sub_model.summary()

x = np.random.rand(4, 784).astype("float32")

sub_model.set_weights(fn_model.get_weights())   # weight lists line up layer-by-layer
np.testing.assert_allclose(
    fn_model.predict(x, verbose=0),
    sub_model.predict(x, verbose=0),
    rtol=1e-6,
)
print("functional == subclassed ✓")

# Under the hood: weights, build(), and the dtype policy
print(len(fn_model.weights))                # 6  — all variables (3 kernels + 3 biases)
print(len(fn_model.trainable_weights))      # 6  — what the optimizer updates
print(len(fn_model.non_trainable_weights))  # 0  — e.g. BatchNorm moving stats live here

fn_model.layers[1].trainable = False        # freeze the first Dense
print(len(fn_model.trainable_weights))      # 4
fn_model.layers[1].trainable = True         # unfreeze — back to 6

keras.mixed_precision.set_global_policy("mixed_float16")

mp_model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax", dtype="float32"),  # ← last layer stays float32!
    ],
    name="mlp_mixed",
)

first = mp_model.layers[0]
print(first.dtype_policy)      # <DTypePolicy "mixed_float16">
print(first.variable_dtype)    # float32  — storage
print(first.compute_dtype)     # float16  — math
print(mp_model.layers[-1].compute_dtype)  # float32 — we overrode the head

keras.mixed_precision.set_global_policy("float32")   # reset so the rest of the course is unaffected

keras.utils.plot_model(
    two_headed,
    to_file="two_headed.png",
    show_shapes=True,        # annotate every edge with its tensor shape
    show_layer_names=True,
    show_dtype=True,         # spot stray float16/float32 boundaries instantly
)

for layer in two_headed.layers:
    print(f"{layer.name:>14}  {layer.__class__.__name__:<12} → {layer.output.shape}")

# 🧪 Your task: the siamese digit comparator
left  = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64,  activation="relu", name="enc_dense_2")


def encode(x):
    return enc2(enc1(x))     # same layer objects → same weights on both paths


left_emb  = encode(left)     # (None, 64)
right_emb = encode(right)    # (None, 64) — through the SAME weights

merged = layers.concatenate([left_emb, right_emb])            # (None, 128)
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()

assert siamese.count_params() == 217_537, siamese.count_params()
assert len(siamese.trainable_weights) == 6
assert enc1.kernel is siamese.get_layer("enc_dense_1").kernel

batch = {
    "left":  np.random.rand(16, 784).astype("float32"),
    "right": np.random.rand(16, 784).astype("float32"),
}
p = siamese.predict(batch, verbose=0)
assert p.shape == (16, 1)
assert (p > 0).all() and (p < 1).all()

same = siamese.predict({"left": batch["left"], "right": batch["left"]}, verbose=0)
print("all checks passed ✓  sample outputs:", p[:3].ravel(), same[:3].ravel())
