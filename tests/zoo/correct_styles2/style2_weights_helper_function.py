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
def counts(model):
    return len(model.weights), len(model.trainable_weights), len(model.non_trainable_weights)


def set_frozen(layer, frozen):
    layer.trainable = not frozen


print(counts(fn_model))              # (6, 6, 0)
set_frozen(fn_model.layers[1], True)
print(counts(fn_model))              # (6, 4, 2)
set_frozen(fn_model.layers[1], False)
print(counts(fn_model))              # (6, 6, 0)
