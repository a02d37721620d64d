import numpy as np
import keras
from keras import layers

print(keras.__version__)          # 3.x — Keras 3, multi-backend
print(keras.backend.backend())    # "tensorflow"

# Way 1: Sequential — the stack
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

# Way 2: The Functional API — models as graphs
inputs = keras.Input(shape=(784,), name="pixels")   # symbolic: shape (None, 784), no data inside
h = layers.Dense(256, activation="relu")(inputs)    # layer called on a symbolic tensor
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)

fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")

# Way 3: Subclassing keras.Model — full Python
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
# — or equivalently: sub_model.build(input_shape=(None, 784))
sub_model.summary()

x = np.random.rand(4, 784).astype("float32")

sub_model.set_weights(fn_model.get_weights())   # weight lists line up layer-by-layer
np.testing.assert_allclose(
    fn_model.predict(x, verbose=0),
    sub_model.predict(x, verbose=0),
    rtol=1e-6,
)

# Under the hood: weights
print(len(fn_model.weights), len(fn_model.trainable_weights), len(fn_model.non_trainable_weights))

for layer in fn_model.layers[1:2]:          # just the first Dense
    layer.trainable = False
print(len(fn_model.trainable_weights))      # 4
for layer in fn_model.layers[1:2]:
    layer.trainable = True
print(len(fn_model.trainable_weights))      # 6

# Two inputs, two heads
img_in = keras.Input(shape=(784,), name="pixels")
meta_in = keras.Input(shape=(8,), name="metadata")
x = layers.Dense(256, activation="relu")(img_in)
x = layers.Dense(64, activation="relu")(x)
m = layers.Dense(16, activation="relu")(meta_in)
merged = layers.concatenate([x, m])
digit_out = layers.Dense(10, activation="softmax", name="digit")(merged)
hard_out = layers.Dense(1, activation="sigmoid", name="is_hard")(merged)
two_headed = keras.Model(inputs=[img_in, meta_in], outputs=[digit_out, hard_out], name="two_headed_mlp")
two_headed.compile(
    optimizer="adam",
    loss={"digit": "sparse_categorical_crossentropy", "is_hard": "binary_crossentropy"},
    loss_weights={"digit": 1.0, "is_hard": 0.3},
    metrics={"digit": ["accuracy"]},
)

for layer in two_headed.layers:
    print(f"{layer.name:>14}  {layer.__class__.__name__:<12} → {layer.output.shape}")
